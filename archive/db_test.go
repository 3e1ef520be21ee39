package archive

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// helperHold opens the database, says "ready" and holds it until stdin
// is closed.
func helperHold(path string) int {
	db, err := Open(path, nil)
	if err != nil {
		return fatalf("open: %v", err)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := db.Close(); err != nil {
		return fatalf("close: %v", err)
	}
	return 0
}

func TestOpenCreatesSchema(t *testing.T) {
	db := MustOpenDB(t)
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.SchemaVersion != SchemaVersion || st.URLs != 0 || st.Runs != 0 || st.Checks != 0 || st.FileSize == 0 {
		t.Errorf("Stats() = %+v, want schema %d, empty, non-zero size", st, SchemaVersion)
	}
	err = db.view(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketRuns, bucketURLs, bucketHistory} {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		if v := tx.Bucket(bucketMeta).Get(keyCreated); len(v) == 0 {
			t.Errorf("meta %s missing", keyCreated)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := db.Path(); filepath.Base(got) != "linkvault.db" {
		t.Errorf("Path() = %q", got)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.md")
	if err := os.WriteFile(text, bytes.Repeat([]byte("# not a database\n"), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(dir, "small.db")
	if err := os.WriteFile(small, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign.db")
	b, err := bolt.Open(foreign, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err }); err != nil {
		t.Fatal(err)
	}
	b.Close()

	tests := []struct {
		name     string
		path     string
		opts     *Options
		wantCode string
		wantMsg  string
	}{
		{"text file", text, nil, linkvault.EInvalid, text + " is not a linkvault database"},
		{"short file", small, nil, linkvault.EInvalid, small + " is not a linkvault database"},
		{"other bbolt db", foreign, nil, linkvault.EInvalid, foreign + " is not a linkvault database"},
		{"read-only missing", filepath.Join(dir, "missing.db"), &Options{ReadOnly: true}, linkvault.ENotFound, "no database at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(tt.path, tt.opts)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%s) = nil error, want %s", tt.path, tt.wantCode)
			}
			if got := linkvault.ErrorCode(err); got != tt.wantCode {
				t.Errorf("ErrorCode = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only Open created the file: %v", err)
	}
}

func TestOpenNewerSchemaWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkvault.db")
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint64(nil, SchemaVersion+1))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{false, true} {
		db, err := Open(path, &Options{ReadOnly: ro})
		if err == nil {
			db.Close()
			t.Fatalf("Open(ReadOnly: %v) of schema %d = nil error", ro, SchemaVersion+1)
		}
		if got := linkvault.ErrorCode(err); got != linkvault.EInvalid || !strings.Contains(err.Error(), "newer") {
			t.Errorf("Open(ReadOnly: %v) = %v (code %s), want EInvalid about a newer schema", ro, err, got)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("Open of a newer schema changed the file")
	}
}

func TestOpenReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkvault.db")
	db := mustOpenPath(t, path, nil)
	err := db.update(func(tx *bolt.Tx) error {
		b, err := createBucket(tx, bucketCaptures)
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var got []byte
	if err := ro.view(func(tx *bolt.Tx) error { got = getCopy(tx.Bucket(bucketCaptures), []byte("k")); return nil }); err != nil {
		t.Fatal(err)
	}
	if string(got) != "v" {
		t.Errorf("Get(k) = %q, want v", got)
	}
	err = ro.update(func(*bolt.Tx) error { return nil })
	if linkvault.ErrorCode(err) != linkvault.EInvalid {
		t.Errorf("update on read-only = %v, want EInvalid", err)
	}
}

// TestOpenLocked holds the database in another process and checks that
// Open gives up after Options.Timeout with ErrInUse, read-write and
// read-only, and succeeds once the other process is gone.
func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkvault.db")
	cmd, stdin := startHelper(t, "hold", path)
	for _, ro := range []bool{false, true} {
		db, err := Open(path, &Options{Timeout: 200 * time.Millisecond, ReadOnly: ro})
		if err == nil {
			db.Close()
			t.Fatalf("Open(ReadOnly: %v) while held = nil error", ro)
		}
		if !errors.Is(err, ErrInUse) {
			t.Errorf("Open(ReadOnly: %v) = %v, want ErrInUse", ro, err)
		}
		if got := linkvault.ErrorCode(err); got != linkvault.EConflict {
			t.Errorf("ErrorCode = %q, want %q", got, linkvault.EConflict)
		}
		if got, want := err.Error(), "linkvault.db is in use by another linkvault process"; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
	}
	// With the default options Open gives up too, after DefaultTimeout:
	// never a hang, and soon enough for the CLI's "within 2 s".
	if DefaultTimeout <= 0 || DefaultTimeout > 2*time.Second {
		t.Errorf("DefaultTimeout = %v, want within (0, 2s]", DefaultTimeout)
	}
	bounded := true
	for _, opts := range []*Options{nil, {Timeout: -time.Second}} {
		if got := normalize(opts).Timeout; got != DefaultTimeout {
			t.Errorf("normalize(%+v).Timeout = %v, want %v", opts, got, DefaultTimeout)
			bounded = false
		}
	}
	if !bounded {
		// Open would wait forever.
	} else if db, err := Open(path, nil); !errors.Is(err, ErrInUse) {
		if err == nil {
			db.Close()
		}
		t.Errorf("Open(nil options) while held = %v, want ErrInUse", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	mustOpenPath(t, path, &Options{Timeout: 200 * time.Millisecond})
}

// TestBucketHelpers checks the helpers every query uses on a *bolt.Tx:
// prefix scans and lookups of the last key, on a missing (nil) bucket too,
// and that getCopy's value outlives its transaction.
func TestBucketHelpers(t *testing.T) {
	db := MustOpenDB(t)
	keys := []string{"a", "b/1", "b/2", "b/3", "c", "\xff\xff", "\xff\xff1"}
	name := []byte("helpers")
	err := db.update(func(tx *bolt.Tx) error {
		b, err := createBucket(tx, name)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := b.Put([]byte(k), []byte("v"+k)); err != nil {
				return err
			}
		}
		nb, err := b.CreateBucketIfNotExists([]byte("nested"))
		if err != nil {
			return err
		}
		return nb.Put([]byte("x"), []byte("y"))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.view(func(tx *bolt.Tx) error {
		absent := tx.Bucket([]byte("absent"))
		called := false
		if err := scanPrefix(absent, nil, func(k, v []byte) error { called = true; return nil }); err != nil || called {
			t.Errorf("scanPrefix(absent) = %v, called %v; want nil, false", err, called)
		}
		if k, v := lastInBucket(absent, nil); k != nil || v != nil {
			t.Errorf("lastInBucket(absent) = %q, %q; want nil, nil", k, v)
		}
		if v := getCopy(absent, []byte("a")); v != nil {
			t.Errorf("getCopy(absent) = %q, want nil", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		prefix   string
		wantScan []string
		wantLast string
	}{
		{"b/", []string{"b/1", "b/2", "b/3"}, "b/3"},
		{"a", []string{"a"}, "a"},
		{"d", nil, ""},
		{"\xff\xff", []string{"\xff\xff", "\xff\xff1"}, "\xff\xff1"},
		{"", append(append([]string(nil), keys[:5]...), "nested", "\xff\xff", "\xff\xff1"), "\xff\xff1"},
	}
	var kept []byte
	err = db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(name)
		for _, tt := range tests {
			var got []string
			err := scanPrefix(b, []byte(tt.prefix), func(k, v []byte) error {
				got = append(got, string(k))
				return nil
			})
			if err != nil {
				return err
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.wantScan) {
				t.Errorf("scanPrefix(%q) = %q, want %q", tt.prefix, got, tt.wantScan)
			}
			k, v := lastInBucket(b, []byte(tt.prefix))
			if string(k) != tt.wantLast || (k != nil && string(v) != "v"+tt.wantLast) {
				t.Errorf("lastInBucket(%q) = %q, %q; want %q", tt.prefix, k, v, tt.wantLast)
			}
		}
		var stopped []string
		err := scanPrefix(b, []byte("b/"), func(k, v []byte) error {
			stopped = append(stopped, string(k))
			if len(stopped) == 2 {
				return errStopScan
			}
			return nil
		})
		if err != nil || fmt.Sprint(stopped) != "[b/1 b/2]" {
			t.Errorf("scanPrefix stopped at b/2 = %v, %q; want nil, [b/1 b/2]", err, stopped)
		}
		kept = getCopy(b, []byte("b/2"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Overwrite the page the value came from; the copy must not change.
	err = db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(name)
		for i := range 2000 {
			if err := b.Put([]byte(fmt.Sprintf("z%05d", i)), bytes.Repeat([]byte{'x'}, 100)); err != nil {
				return err
			}
		}
		return b.Delete([]byte("b/2"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(kept) != "vb/2" {
		t.Errorf("value kept from a transaction = %q, want vb/2", kept)
	}
}
