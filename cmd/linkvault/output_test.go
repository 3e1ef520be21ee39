package main

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

func TestWriteOutputRegularFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "out.json")
	if err := writeOutput(p, writeString("one")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeOutput(p, writeString("two")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" {
		t.Errorf("content = %q, want two", b)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want the file's own 0600 kept", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only out.json (no temporary file left)", len(ents))
	}
}

// A symbolic link is written through, as > does: the link stays a link,
// the file it points to (in another directory) gets the content, and no
// temporary file is left beside the link.
func TestWriteOutputSymlink(t *testing.T) {
	dir := t.TempDir()
	realDir := filepath.Join(dir, "real")
	if err := os.Mkdir(realDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, existing string }{{"existing", "old"}, {"dangling", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			real := filepath.Join(realDir, tc.name+".sarif")
			if tc.existing != "" {
				if err := os.WriteFile(real, []byte(tc.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			linkDir := filepath.Join(dir, "links-"+tc.name)
			if err := os.Mkdir(linkDir, 0o755); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(linkDir, "out.sarif")
			// A relative link, resolved against the link's directory.
			if err := os.Symlink(filepath.Join("..", "real", tc.name+".sarif"), link); err != nil {
				t.Fatal(err)
			}
			if err := writeOutput(link, writeString("new")); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Lstat(link)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode()&fs.ModeSymlink == 0 {
				t.Errorf("%s is now %v, want the symbolic link kept", link, fi.Mode())
			}
			if b, err := os.ReadFile(real); err != nil || string(b) != "new" {
				t.Errorf("link target holds %q (%v), want new", b, err)
			}
			if ents, _ := os.ReadDir(linkDir); len(ents) != 1 {
				t.Errorf("link directory holds %d entries, want the link only", len(ents))
			}
		})
	}
}

// A FIFO is opened and written, not replaced: a reader on it gets the
// report.
func TestWriteOutputFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(p) // blocks until the writer opens it
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		if err != nil {
			got <- "read: " + err.Error()
			return
		}
		got <- string(b)
	}()
	if err := writeOutput(p, writeString(strings.Repeat("x", 100<<10))); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != strings.Repeat("x", 100<<10) {
		t.Errorf("reader got %d bytes %.40q, want 100 KiB of x", len(s), s)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("%s is now %v, want the FIFO kept", p, fi.Mode())
	}
}

// A device is written in place and stays a device. The test makes its own
// null device when it may (as root), so that even a broken writeOutput
// never touches the system's; otherwise it writes to /dev/null.
func TestWriteOutputDevice(t *testing.T) {
	dev := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, int(unixMkdev(1, 3))); err != nil {
		dev = "/dev/null"
	}
	for _, p := range []string{dev, "/dev/null"} {
		if err := writeOutput(p, writeString("report")); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&fs.ModeCharDevice == 0 {
			t.Fatalf("%s is now %v, want a character device", p, fi.Mode())
		}
	}
}

// unixMkdev is makedev(3) for Linux.
func unixMkdev(major, minor uint32) uint64 {
	return uint64(major&0xfff)<<8 | uint64(minor&0xff) | uint64(minor&^0xff)<<12 | uint64(major&^0xfff)<<32
}

func TestWriteOutputDirectory(t *testing.T) {
	dir := t.TempDir()
	err := writeOutput(dir, writeString("x"))
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("err = %v, want is a directory", err)
	}
}

func TestHTMLReportPaths(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "site.html")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ out, page, files, rel string }{
		{"report.html", "report.html", "report.files", "report.files"},
		{"pub/Report.HTM", "pub/Report.HTM", "pub/Report.files", "Report.files"},
		{"my report.html", "my report.html", "my report.files", "my%20report.files"},
		{"public", "public/index.html", "public/archive", "archive"},
		{"public/", "public/index.html", "public/archive", "archive"},
		{"report.html/", "report.html/index.html", "report.html/archive", "archive"},
		{existing, existing + "/index.html", existing + "/archive", "archive"},
	}
	for _, tt := range tests {
		page, files, rel := htmlReportPaths(tt.out)
		if page != tt.page || files != tt.files || rel != tt.rel {
			t.Errorf("htmlReportPaths(%q) = %q, %q, %q; want %q, %q, %q", tt.out, page, files, rel, tt.page, tt.files, tt.rel)
		}
	}
}

// A writer that replaces a file itself (export --wacz) writes through a
// symbolic link and into a device or a FIFO too.
func TestWriteOutputPath(t *testing.T) {
	dir := t.TempDir()
	write := func(p string) error {
		if err := os.WriteFile(p+".tmp", []byte("wacz"), 0o644); err != nil {
			return err
		}
		return os.Rename(p+".tmp", p)
	}
	real := filepath.Join(dir, "real.wacz")
	link := filepath.Join(dir, "link.wacz")
	if err := os.Symlink("real.wacz", link); err != nil {
		t.Fatal(err)
	}
	if err := writeOutputPath(link, write); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("link is now %v (%v), want a symbolic link", fi.Mode(), err)
	}
	if b, err := os.ReadFile(real); string(b) != "wacz" {
		t.Errorf("target holds %q (%v), want wacz", b, err)
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		b, err := os.ReadFile(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(b)
	}()
	if err := writeOutputPath(fifo, write); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "wacz" {
		t.Errorf("FIFO reader got %q, want wacz", s)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("FIFO is now %v (%v)", fi.Mode(), err)
	}
}
