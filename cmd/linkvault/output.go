package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// maxSymlinks bounds the symbolic links followed to find the real target
// of an output file, like the kernel's ELOOP limit.
const maxSymlinks = 40

// writeOutput writes the file that -o names (report, check, export --cdxj,
// get) the way a shell's > would, without ever leaving half a file:
//
//   - a regular file, or a path where nothing exists yet, is written to a
//     temporary file in the same directory and renamed over it, so a reader
//     sees the old content or the new, never a mix; an existing file keeps
//     its permissions;
//   - a symbolic link is written through: the file it points to is
//     replaced as above (the temporary file in that file's directory) and
//     the link stays;
//   - anything else (a device such as /dev/null or /dev/stdout, a FIFO) is
//     opened and written in place: renaming over it would replace a device
//     of the system with a regular file, or leave a pipe's reader waiting.
//
// A directory is an error. Missing parent directories are created.
func writeOutput(name string, write func(io.Writer) error) error {
	target, fi, err := outputTarget(name)
	if err != nil {
		return err
	}
	switch {
	case fi == nil || fi.Mode().IsRegular():
		perm := fs.FileMode(0o644)
		if fi != nil {
			perm = fi.Mode().Perm()
		}
		return replaceFile(target, perm, write)
	case fi.IsDir():
		return fmt.Errorf("%s: is a directory", name)
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	if err := writeBuffered(f, write); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeBuffered runs write on f through a buffer and flushes it; the
// caller closes f.
func writeBuffered(f *os.File, write func(io.Writer) error) error {
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// writeOutputPath is writeOutput for a writer that needs a path and
// replaces the file there itself (archive.ExportWACZ): a regular file, or
// a path where nothing is, is written at the real path behind any
// symbolic link; a device or a FIFO receives a copy of a temporary file.
func writeOutputPath(name string, write func(path string) error) error {
	target, fi, err := outputTarget(name)
	if err != nil {
		return err
	}
	switch {
	case fi == nil || fi.Mode().IsRegular():
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return write(target)
	case fi.IsDir():
		return fmt.Errorf("%s: is a directory", name)
	}
	tmp, err := os.MkdirTemp("", "linkvault-out-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	p := filepath.Join(tmp, filepath.Base(target))
	if err := write(p); err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return writeOutput(name, func(w io.Writer) error {
		_, err := io.Copy(w, f)
		return err
	})
}

// outputTarget follows the symbolic links of name to the path that would
// be written, and returns what is there (nil when nothing is, as for a
// dangling link, which > creates the target of).
func outputTarget(name string) (string, fs.FileInfo, error) {
	p := name
	for range maxSymlinks {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil, nil
		}
		if err != nil {
			return "", nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return p, fi, nil
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", nil, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(p), link)
		}
		p = link
	}
	return "", nil, fmt.Errorf("%s: too many levels of symbolic links", name)
}

// replaceFile writes the regular file name through a temporary file in its
// directory and a rename.
func replaceFile(name string, perm fs.FileMode, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := writeBuffered(f, write); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
