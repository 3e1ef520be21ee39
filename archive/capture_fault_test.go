package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/linkvault/linkvault"
)

// fullDisk is a file system of a fixed size for the WARC files of an
// Archiver: a write past it writes what fits and fails with ENOSPC, as a
// full tmpfs does; truncating a file gives the space back.
type fullDisk struct {
	mu   sync.Mutex
	free int64
}

func (d *fullDisk) setFree(n int64) {
	d.mu.Lock()
	d.free = n
	d.mu.Unlock()
}

func (d *fullDisk) open(name string, flag int, perm os.FileMode) (warcFile, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &diskFile{File: f, disk: d}, nil
}

type diskFile struct {
	*os.File
	disk *fullDisk
}

func (f *diskFile) Write(p []byte) (int, error) {
	f.disk.mu.Lock()
	n := int64(len(p))
	if n > f.disk.free {
		n = f.disk.free
	}
	f.disk.free -= n
	f.disk.mu.Unlock()
	w, err := f.File.Write(p[:n])
	if err == nil && w < len(p) {
		err = &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return w, err
}

func (f *diskFile) Truncate(size int64) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := f.File.Truncate(size); err != nil {
		return err
	}
	f.disk.mu.Lock()
	f.disk.free += fi.Size() - size
	f.disk.mu.Unlock()
	return nil
}

// The disk fills in the middle of a 1 MB record among small pages
// (concurrency 1, as in the report): the capture fails, and afterwards
// every index entry resolves to its payload, every WARC file reads
// record by record to its end, and the next identical fetch of a small
// page is a revisit of a readable record while the 1 MB page, once there
// is room, is stored in full (nothing of the failed capture is referred
// to).
func TestCaptureDiskFull(t *testing.T) {
	db := MustOpenDB(t)
	disk := &fullDisk{free: 600 << 10}
	dir := t.TempDir()
	a, err := NewArchiver(db, ArchiverOptions{Dir: dir, openFile: disk.open})
	if err != nil {
		t.Fatal(err)
	}
	at := day1
	capture := func(u string, body []byte) error {
		at = at.Add(time.Minute)
		_, err := a.Capture(context.Background(), newExchange(u, at, "text/html", body))
		return err
	}
	page := func(i int) []byte { return randomBytes(uint64(i), 20<<10) }
	pdf := randomBytes(99, 1<<20) // does not compress

	for i := range 5 {
		if err := capture("https://example.com/p"+itoa(i), page(i)); err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
	}
	if err := capture("https://example.com/slides.pdf", pdf); err == nil {
		t.Fatal("capture of 1 MB on a disk with 600 KiB free = nil error")
	}
	disk.setFree(300 << 10) // something else freed some space
	for i := 5; i < 10; i++ {
		if err := capture("https://example.com/p"+itoa(i), page(i)); err != nil {
			t.Fatalf("page %d after the full disk: %v", i, err)
		}
	}
	if err := capture("https://example.com/p3", page(3)); err != nil { // unchanged: a revisit
		t.Fatal(err)
	}
	disk.setFree(8 << 20)
	if err := capture("https://example.com/slides.pdf", pdf); err != nil {
		t.Fatalf("pdf once there is room: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	entries, revisits := 0, 0
	err = db.forEachEntry(func(key string, e indexEntry) error {
		entries++
		if e.Revisit {
			revisits++
		}
		if e.URL == "https://example.com/slides.pdf" && e.Revisit {
			t.Errorf("the pdf is stored as a revisit of %s@%d", e.RefFile, e.RefOffset)
		}
		rc, _, err := OpenPayload(dir, e.Capture)
		if err != nil {
			t.Errorf("entry %s (%s@%d): %v", key, e.File, e.Offset, err)
			return nil
		}
		defer rc.Close()
		h := sha256.New()
		n, err := io.Copy(h, rc)
		if err != nil || n != e.Size || "sha256:"+hex.EncodeToString(h.Sum(nil)) != e.Digest {
			t.Errorf("entry %s (%s@%d): payload of %d bytes (%v) does not match the index (%d bytes, %s)",
				key, e.File, e.Offset, n, err, e.Size, e.Digest)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if entries != 12 || revisits != 1 {
		t.Errorf("%d index entries (%d revisits), want 12 (1)", entries, revisits)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz*"))
	for _, f := range files {
		n, err := validLength(f)
		fi, _ := os.Stat(f)
		if err != nil || fi.Size() != n {
			t.Errorf("%s: %d bytes, of which %d are whole records (%v)", filepath.Base(f), fi.Size(), n, err)
		}
		if filepath.Ext(f) == openSuffix {
			t.Errorf("%s is still open after Close", filepath.Base(f))
		}
	}
}

// syncFailFile fails its next Sync when *fail is set (the kernel could not
// write back what the file holds).
type syncFailFile struct {
	*os.File
	fail *bool
}

func (f *syncFailFile) Sync() error {
	if *f.fail {
		*f.fail = false
		return &os.PathError{Op: "fsync", Path: f.Name(), Err: syscall.EIO}
	}
	return f.File.Sync()
}

// After a failed sync the capture fails, its records are cut off, the file
// is left open for repair, and the next capture starts a new file; a new
// Archiver finishes the left file, and every entry resolves.
func TestCaptureSyncFails(t *testing.T) {
	db := MustOpenDB(t)
	dir := t.TempDir()
	fail := false
	open := func(name string, flag int, perm os.FileMode) (warcFile, error) {
		f, err := os.OpenFile(name, flag, perm)
		if err != nil {
			return nil, err
		}
		return &syncFailFile{File: f, fail: &fail}, nil
	}
	a, err := NewArchiver(db, ArchiverOptions{Dir: dir, openFile: open})
	if err != nil {
		t.Fatal(err)
	}
	at := day1
	capture := func(i int) (linkvault.Capture, error) {
		at = at.Add(time.Minute)
		return a.Capture(context.Background(), newExchange("https://example.com/"+itoa(i), at, "text/html", randomBytes(uint64(i), 4<<10)))
	}
	first, err := capture(1)
	if err != nil {
		t.Fatal(err)
	}
	fail = true
	if _, err := capture(2); err == nil || !strings.Contains(err.Error(), "sync warc") {
		t.Fatalf("capture with a failing sync = %v, want a sync error", err)
	}
	third, err := capture(3)
	if err != nil {
		t.Fatal(err)
	}
	if third.File == first.File {
		t.Errorf("the capture after a failed sync went on in %s, want a new file", first.File)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, first.File+openSuffix)); err != nil {
		t.Errorf("the file of the failed sync is not left open for repair: %v", err)
	}
	a, err = NewArchiver(db, ArchiverOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, c := range []linkvault.Capture{first, third} {
		if got, _ := readPayload(t, dir, c); len(got) != 4<<10 {
			t.Errorf("%s: %d bytes", c.URL, len(got))
		}
	}
	if cs, _ := db.Captures("https://example.com/2"); len(cs) != 0 {
		t.Errorf("the failed capture is indexed: %+v", cs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz*"))
	for _, f := range files {
		n, err := validLength(f)
		fi, _ := os.Stat(f)
		if err != nil || fi.Size() != n || strings.HasSuffix(f, openSuffix) {
			t.Errorf("%s: %d bytes, of which %d are whole records (%v)", filepath.Base(f), fi.Size(), n, err)
		}
	}
}
