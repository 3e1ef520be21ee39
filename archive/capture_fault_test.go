package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
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
