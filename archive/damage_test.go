package archive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// damageSource writes a database of several hundred pages (branch pages,
// nested and inline buckets) at path and returns its meta page.
func damageSource(t testing.TB, path string) boltMeta {
	t.Helper()
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.update(func(tx *bolt.Tx) error {
		b, err := createBucket(tx, []byte("damage"))
		if err != nil {
			return err
		}
		for i := range 3000 {
			if err := b.Put(fmt.Appendf(nil, "key-%05d", i), bytes.Repeat([]byte{byte(i)}, 200)); err != nil {
				return err
			}
		}
		nb, err := b.CreateBucketIfNotExists([]byte("nested"))
		if err != nil {
			return err
		}
		for i := range 500 {
			if err := nb.Put(fmt.Appendf(nil, "n-%04d", i), []byte("value")); err != nil {
				return err
			}
		}
		small, err := b.CreateBucketIfNotExists([]byte("inline"))
		if err != nil {
			return err
		}
		return small.Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	// A second commit frees pages, so that the freelist is not empty.
	err = db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("damage"))
		for i := 0; i < 3000; i += 7 {
			if err := b.Delete(fmt.Appendf(nil, "key-%05d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	m, err := readMeta(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	if err := checkFile(f, fi.Size()); err != nil {
		t.Fatalf("checkFile of a sound database = %v", err)
	}
	return m
}

// pageOfType returns the id of the first page of type flags after the
// meta pages, 0 when there is none.
func pageOfType(t testing.TB, data []byte, m boltMeta, flags uint16) uint64 {
	ps := uint64(m.pageSize)
	for id := uint64(2); id < m.pgid; id++ {
		p := data[id*ps:]
		if binary.LittleEndian.Uint64(p) == id && binary.LittleEndian.Uint16(p[8:]) == flags {
			return id
		}
	}
	t.Fatalf("no page of type %#x", flags)
	return 0
}

func TestOpenDamagedFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "source.db")
	m := damageSource(t, src)
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	ps := uint64(m.pageSize)
	rnd := rand.New(rand.NewPCG(1, 2))
	scribble := func(data []byte, id uint64) {
		for i := range ps {
			data[id*ps+i] = byte(rnd.Uint32())
		}
	}
	tests := []struct {
		name   string
		damage func(data []byte) []byte
		want   string
	}{
		{"used data cut in half", func(d []byte) []byte { return d[:m.pgid*ps/2] }, "it is cut short"},
		{"random bytes over the root page", func(d []byte) []byte { scribble(d, m.root); return d }, "is overwritten"},
		{"random bytes over the freelist", func(d []byte) []byte { scribble(d, m.freelist); return d }, "is overwritten"},
		{"random bytes over a leaf page", func(d []byte) []byte {
			scribble(d, pageOfType(t, d, m, leafPageFlag))
			return d
		}, "is overwritten"},
		{"branch page pointing at itself", func(d []byte) []byte {
			id := pageOfType(t, d, m, branchPageFlag)
			binary.LittleEndian.PutUint64(d[id*ps+pageHeaderSize+8:], id)
			return d
		}, "is reached twice"},
		{"leaf element outside its page", func(d []byte) []byte {
			id := pageOfType(t, d, m, leafPageFlag)
			binary.LittleEndian.PutUint32(d[id*ps+pageHeaderSize+12:], 1<<30)
			return d
		}, "outside"},
		{"freelist count past its page", func(d []byte) []byte {
			binary.LittleEndian.PutUint16(d[m.freelist*ps+10:], 0xFFFF)
			binary.LittleEndian.PutUint64(d[m.freelist*ps+pageHeaderSize:], 1<<40)
			return d
		}, "more than it holds"},
		{"empty file", func(d []byte) []byte { return nil }, "it is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "linkvault.db")
			data := tt.damage(bytes.Clone(orig))
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{true, false} {
				if len(data) == 0 && !ro {
					continue // opened for writing, an empty file is a new database
				}
				db, err := Open(path, &Options{ReadOnly: ro})
				if err == nil {
					db.Close()
					t.Fatalf("Open(read-only %v) of a damaged file = nil error", ro)
				}
				if !errors.Is(err, ErrDamaged) || linkvault.ErrorCode(err) != linkvault.EInternal {
					t.Errorf("Open(read-only %v) = %v (code %s), want ErrDamaged, EInternal", ro, err, linkvault.ErrorCode(err))
				}
				msg := err.Error()
				for _, want := range []string{path + " is damaged: ", tt.want, "restore a copy"} {
					if !strings.Contains(msg, want) {
						t.Errorf("error %q does not contain %q", msg, want)
					}
				}
				if strings.Contains(msg, "\n") {
					t.Errorf("error %q is more than one line", msg)
				}
			}
			got, _ := os.ReadFile(path)
			if !bytes.Equal(got, data) {
				t.Error("Open changed the damaged file")
			}
		})
	}
}

// A file cut short while it is open makes bbolt touch memory past the end
// of the file: a SIGBUS that kills the process unless it becomes a panic
// (debug.SetPanicOnFault) recovered into an error.
func TestFaultWhileOpenIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkvault.db")
	m := damageSource(t, path)
	db, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := os.Truncate(path, 2*int64(m.pageSize)); err != nil {
		t.Fatal(err)
	}
	err = db.view(func(tx *bolt.Tx) error {
		return scanPrefix(tx.Bucket([]byte("damage")), nil, func(k, v []byte) error { return nil })
	})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path+" is damaged") {
		t.Fatalf("reading a file cut short = %v, want an ErrDamaged error naming it", err)
	}
}

// A panic in bbolt is recovered into an error; as bbolt may have left its
// own locks held, the database answers every later call with that error
// and Close returns at once.
func TestPanicInTransactionIsAnError(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "linkvault.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.update(func(*bolt.Tx) error { panic("page 7: already freed") })
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "page 7: already freed") {
		t.Fatalf("update with a panic = %v, want an ErrDamaged error", err)
	}
	if _, err2 := db.Stats(); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("Stats after the panic = %v, want %v", err2, err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
}
