package archive

import (
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// v0Record is a URL record as schema version 0 stored it: no state_since,
// and no state at all for URLs never checked.
type v0Record struct {
	URL       string             `json:"url"`
	FirstSeen time.Time          `json:"first_seen"`
	LastSeen  time.Time          `json:"last_seen"`
	Sources   []linkvault.Source `json:"sources"`
	State     linkvault.State    `json:"state,omitempty"`
	LastOK    time.Time          `json:"last_ok,omitzero"`
}

// makeV0 writes a version 0 database at path: URL records in "links",
// JSON checks in "checks", runs keyed by id without a bucket sequence,
// and no meta bucket.
func makeV0(t *testing.T, path string) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	put := func(tx *bolt.Tx, bucket string, k []byte, v any) {
		bk, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := bk.Put(k, data); err != nil {
			t.Fatal(err)
		}
	}
	err = b.Update(func(tx *bolt.Tx) error {
		put(tx, "links", []byte("https://a.example/"), v0Record{URL: "https://a.example/", FirstSeen: t0, LastSeen: t0.Add(day),
			Sources: []linkvault.Source{{File: "a.md", Line: 3}}, State: linkvault.StateAlive, LastOK: t0.Add(day)})
		put(tx, "links", []byte("https://b.example/"), v0Record{URL: "https://b.example/", FirstSeen: t0.Add(day), LastSeen: t0.Add(day)})
		for i, st := range []linkvault.Status{linkvault.StatusOK, linkvault.StatusBroken} {
			at := t0.Add(time.Duration(i) * day)
			put(tx, "checks", historyKey(urlHash("https://a.example/"), at), linkvault.Check{
				RunID: uint64(i + 1), Time: at, Status: st, HTTPStatus: 200 + 204*i, DurationMS: 12,
				Reason: map[bool]string{true: "404 Not Found"}[i == 1], State: linkvault.StateAlive, Changed: i == 0})
		}
		for id := uint64(1); id <= 2; id++ {
			put(tx, "runs", binary.BigEndian.AppendUint64(nil, id), linkvault.Run{ID: id, Start: t0.Add(time.Duration(id-1) * day), Finished: true})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrateV0(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	makeV0(t, path)

	if _, err := Open(path, &Options{ReadOnly: true}); linkvault.ErrorCode(err) != linkvault.EInvalid || !strings.Contains(err.Error(), "migration") {
		t.Errorf("read-only Open of version 0 = %v, want EInvalid asking for a migration", err)
	}

	db := mustOpenPath(t, path, &Options{Version: "v9"})
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.SchemaVersion != SchemaVersion || st.URLs != 2 || st.Checks != 2 || st.Runs != 2 ||
		st.States[linkvault.StateAlive] != 1 || st.States[linkvault.StateNew] != 1 {
		t.Errorf("Stats() after migration = %+v", st)
	}
	a, err := db.URL("https://a.example/")
	if err != nil {
		t.Fatal(err)
	}
	if !a.StateSince.Equal(t0) || a.State != linkvault.StateAlive || a.Sources[0].Line != 3 || !a.LastOK.Equal(t0.Add(day)) {
		t.Errorf("URL(a) = %+v", a)
	}
	b, err := db.URL("https://b.example/")
	if err != nil {
		t.Fatal(err)
	}
	if b.State != linkvault.StateNew || !b.StateSince.Equal(t0.Add(day)) {
		t.Errorf("URL(b) = state %q since %v, want new since day 1", b.State, b.StateSince)
	}
	hist, err := db.History("https://a.example/", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Status != linkvault.StatusOK || !hist[0].Changed || hist[1].HTTPStatus != 404 ||
		hist[1].Reason != "404 Not Found" || hist[1].DurationMS != 12 || !hist[1].Time.Equal(t0.Add(day)) {
		t.Errorf("History(a) = %+v", hist)
	}
	err = db.view(func(tx *bolt.Tx) error {
		if tx.Bucket(v0Links) != nil || tx.Bucket(v0Checks) != nil {
			t.Error("version 0 buckets left behind")
		}
		if v := string(tx.Bucket(bucketMeta).Get(keyVersion)); v != "v9" {
			t.Errorf("meta version = %q, want v9", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := db.BeginRun(linkvault.Run{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id := rec.Run().ID; id != 3 {
		t.Errorf("first run after migration has id %d, want 3", id)
	}
	if _, err := rec.Finish(t.Context(), nil, false); err != nil {
		t.Fatal(err)
	}
}

// TestSchema1ReadAsIs: a version 1 file opens read-only without its
// migration (which writes nothing but the version), and read-write moves
// it to the current version.
func TestSchema1ReadAsIs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "linkvault.db")
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := db.BeginRun(linkvault.Run{}, []linkvault.Link{{URL: "https://a.example/", Kind: linkvault.KindWeb}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Finish(t.Context(), nil, false); err != nil {
		t.Fatal(err)
	}
	if err := db.update(func(tx *bolt.Tx) error { return putSchema(tx, 1, "v1") }); err != nil {
		t.Fatal(err)
	}
	db.Close()

	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only Open of schema 1 = %v, want it read as it is", err)
	}
	st, err := ro.Stats()
	if err != nil || st.SchemaVersion != 1 || st.URLs != 1 {
		t.Errorf("read-only Stats() of schema 1 = %+v, %v; want version 1, one URL", st, err)
	}
	ro.Close()

	rw := mustOpenPath(t, path, nil)
	if st, err := rw.Stats(); err != nil || st.SchemaVersion != SchemaVersion {
		t.Errorf("Stats() after a read-write open = %+v, %v; want version %d", st, err, SchemaVersion)
	}
}
