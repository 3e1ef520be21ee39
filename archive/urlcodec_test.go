package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// TestURLDictFrozen: the stored URL records depend on the dictionary byte
// for byte; changing it would make every record written with it unreadable.
// A new dictionary needs a new id and leading byte beside this one.
func TestURLDictFrozen(t *testing.T) {
	sum := sha256.Sum256(urlDict)
	if got, want := hex.EncodeToString(sum[:]), "83a17c1bab5339435a4fe049b71f98e61eab7ca72b9f197965947f6d8b2137da"; got != want {
		t.Fatalf("urlrecords.dict has SHA-256 %s, want %s: it is frozen", got, want)
	}
}

func sampleRecords() []linkvault.URLRecord {
	t0 := time.Date(2026, 12, 2, 18, 33, 0, 394392466, time.UTC)
	t1 := t0.Add(25*time.Hour + 123456789)
	src := []linkvault.Source{{File: "notes/issue-339.md", Line: 11, Column: 8}, {File: "notes/周报.md", Line: 2, Column: 1, Text: "链接", Fragment: "安装"}}
	return []linkvault.URLRecord{
		{URL: "http://blog1008.example/posts/9408", Kind: linkvault.KindWeb, FirstSeen: t0, LastSeen: t0, Sources: src[:1], State: linkvault.StateNew, StateSince: t0},
		{URL: "https://github.com/a/b", Kind: linkvault.KindWeb, FirstSeen: t0, LastSeen: t1, Sources: src,
			Last: &linkvault.Result{Status: linkvault.StatusOK, Reason: "200 OK", HTTPStatus: 200, FinalURL: "https://github.com/a/b", ContentType: "text/html; charset=utf-8",
				ContentLength: 107, Title: "标题", BytesRead: 107, Requests: 1, DurationMS: 34, CheckedAt: t1, TextHash: 0xdeadbeef,
				GitHub: &linkvault.GitHubRepo{FullName: "a/b", Exists: true, DefaultBranch: "main", PushedAt: t0}},
			State: linkvault.StateAlive, StateSince: t1, PrevState: linkvault.StateNew, LastOK: t1, LastChecked: t1, Cited: 0xdeadbeef, LastMatch: t1, ETag: `"x"`},
		{URL: "https://gone.example/", Kind: linkvault.KindWeb, FirstSeen: t0, LastSeen: t0, State: linkvault.StateDead, StateSince: t1, ConsecutiveBad: 3, FirstBad: t0,
			Last: &linkvault.Result{Status: linkvault.StatusBroken, Reason: "404 Not Found", HTTPStatus: 404, Redirects: []linkvault.Redirect{{Status: 301, URL: "https://gone.example/x"}}, Evidence: []string{"gone-text"}, CheckedAt: t1}},
	}
}

// TestURLRecordCompressed: URL records are stored compressed against the
// dictionary, read back whole, and take a fraction of their JSON.
func TestURLRecordCompressed(t *testing.T) {
	db := MustOpenDB(t)
	recs := sampleRecords()
	var jsonBytes, stored int
	if err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketURLs)
		for i := range recs {
			if err := putURL(b, &recs[i]); err != nil {
				return err
			}
			j, _ := json.Marshal(&recs[i])
			v := b.Get([]byte(recs[i].URL))
			if len(v) == 0 || v[0] != urlZstd {
				t.Errorf("%s stored as %.20q, want compressed", recs[i].URL, v)
			}
			jsonBytes, stored = jsonBytes+len(j), stored+len(v)
		}
		c, err := recount(tx)
		if err != nil {
			return err
		}
		return putCounts(tx, c)
	}); err != nil {
		t.Fatal(err)
	}
	for _, want := range recs {
		got, err := db.URL(want.URL)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(&want)
		if !bytes.Equal(g, w) {
			t.Errorf("read back\n%s\nwant\n%s", g, w)
		}
	}
	t.Logf("%d bytes of JSON stored in %d", jsonBytes, stored)
	if stored*100 > jsonBytes*40 {
		t.Errorf("%d records take %d bytes for %d of JSON; want at most 40%%", len(recs), stored, jsonBytes)
	}
	plan, err := db.PlanRecords([]string{recs[1].URL})
	if err != nil || plan[recs[1].URL] == nil || plan[recs[1].URL].Last.ContentType != "text/html; charset=utf-8" {
		t.Errorf("PlanRecords of a compressed record = %+v, %v", plan[recs[1].URL], err)
	}
}

// TestURLRecordJSONRead: a record stored as JSON (schema version 1) reads
// as before, beside compressed ones, and counts.
func TestURLRecordJSONRead(t *testing.T) {
	db := MustOpenDB(t)
	old := `{"url":"https://old.example/","kind":"web","first_seen":"2026-01-02T03:04:05Z","last_seen":"2026-01-02T03:04:05Z","sources":[{"file":"a.md","line":1,"column":1}],"state":"alive","state_since":"2026-01-02T03:04:05Z","consecutive_bad":0}`
	if err := db.update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketURLs).Put([]byte("https://old.example/"), []byte(old)); err != nil {
			return err
		}
		// A compressed record after a JSON one: the JSON is the file's
		// read-only memory, which no decoding may reuse as its buffer.
		newer := sampleRecords()[0] // shorter than the JSON before it
		newer.URL = "https://zz.example/"
		if err := putURL(tx.Bucket(bucketURLs), &newer); err != nil {
			return err
		}
		c, err := recount(tx)
		if err != nil {
			return err
		}
		return putCounts(tx, c)
	}); err != nil {
		t.Fatal(err)
	}
	rec, err := db.URL("https://old.example/")
	if err != nil || rec.State != linkvault.StateAlive || rec.Sources[0].File != "a.md" {
		t.Fatalf("URL of a JSON record = %+v, %v", rec, err)
	}
	if st, err := db.Stats(); err != nil || st.States[linkvault.StateAlive] != 1 || st.States[linkvault.StateNew] != 1 {
		t.Errorf("Stats = %+v, %v; want one alive, one new", st, err)
	}
	plan, err := db.PlanRecords([]string{"https://old.example/", "https://zz.example/"})
	if err != nil || plan["https://old.example/"].State != linkvault.StateAlive || plan["https://zz.example/"].State != linkvault.StateNew {
		t.Errorf("PlanRecords of a JSON and a compressed record = %+v, %v", plan, err)
	}
}

// TestURLRecordDamaged: a damaged compressed record is an error naming
// its URL, not a panic nor a record of zeros.
func TestURLRecordDamaged(t *testing.T) {
	for _, v := range [][]byte{{urlZstd}, {urlZstd, 0x28, 0xb5, 0x2f, 0xfd, 0, 0}, append([]byte{urlZstd}, bytes.Repeat([]byte{0xff}, 40)...)} {
		_, err := decodeURL([]byte("https://x.example/"), v)
		if err == nil || !strings.Contains(err.Error(), "https://x.example/") {
			t.Errorf("decodeURL(%x) = %v, want an error naming the URL", v, err)
		}
	}
}

// FuzzDecodeURL: no value makes decoding a URL record panic.
func FuzzDecodeURL(f *testing.F) {
	for _, r := range sampleRecords() {
		j, _ := json.Marshal(&r)
		c, _ := compressURL(j)
		f.Add(c)
		f.Add(j)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		decodeURL([]byte("https://x.example/"), v)
	})
}
