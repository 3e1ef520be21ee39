package archive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/internal/s3test"
)

func TestParseStoreURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want storeLocation
	}{
		{"s3://bucket", storeLocation{Bucket: "bucket"}},
		{"s3://bucket/", storeLocation{Bucket: "bucket"}},
		{"s3://my.bucket-1/team/notes/", storeLocation{Bucket: "my.bucket-1", Prefix: "team/notes"}},
		{"s3://b12/p?endpoint=http://127.0.0.1:8333&region=eu-west-1&path_style=true",
			storeLocation{Bucket: "b12", Prefix: "p", Endpoint: "http://127.0.0.1:8333", Region: "eu-west-1", PathStyle: "true"}},
		{"s3://b12/p?path_style=0", storeLocation{Bucket: "b12", Prefix: "p", PathStyle: "false"}},
	} {
		got, err := parseStoreURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseStoreURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{
		"archive", "/var/archive", "s3:/bucket", "s3://", "s3://B", "s3://ab", "s3://-bucket",
		"s3://bucket_x/p", "s3://user@bucket/p", "s3://bucket/a//b", "s3://bucket/a/../b",
		"s3://bucket/p?endpoint=ftp://x", "s3://bucket/p?endpoint=127.0.0.1:9000",
		"s3://bucket/p?path_style=maybe", "s3://bucket/p?regoin=x", "s3://bucket/p?region=",
		"s3://bucket/p?region=a&region=b",
	} {
		_, err := parseStoreURL(in)
		if err == nil {
			t.Errorf("parseStoreURL(%q) = nil error", in)
			continue
		}
		if linkvault.ErrorCode(err) != linkvault.EInvalid || !strings.Contains(err.Error(), in) {
			t.Errorf("parseStoreURL(%q) = %v (code %s); want EInvalid naming the URL", in, err, linkvault.ErrorCode(err))
		}
	}
}

func TestOpenS3PathStyle(t *testing.T) {
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	for _, tc := range []struct {
		url, env string
		want     bool
	}{
		{"s3://bucket/p?endpoint=http://127.0.0.1:9000", "", true},
		{"s3://bucket/p?endpoint=http://[::1]:9000", "", true},
		{"s3://bucket/p?endpoint=http://localhost:9000", "", true},
		{"s3://bucket/p?endpoint=https://s3.example.com", "", false},
		{"s3://bucket/p?endpoint=https://s3.example.com&path_style=true", "", true},
		{"s3://bucket/p?endpoint=http://127.0.0.1:9000&path_style=false", "", false},
		{"s3://bucket/p", "", false},
		{"s3://bucket/p", "http://127.0.0.1:8333", true}, // AWS_ENDPOINT_URL_S3
	} {
		t.Setenv("AWS_ENDPOINT_URL_S3", tc.env)
		if tc.env == "" {
			os.Unsetenv("AWS_ENDPOINT_URL_S3")
		}
		loc, err := parseStoreURL(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		st, err := openS3(context.Background(), loc)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.(*s3Store).client.Options().UsePathStyle; got != tc.want {
			t.Errorf("%s (AWS_ENDPOINT_URL_S3=%q): path style %v, want %v", tc.url, tc.env, got, tc.want)
		}
	}
}

// testStore returns a store on a new bucket of the shared SeaweedFS, with
// the AWS_* environment pointing at it for the time of t.
func testStore(t *testing.T, prefix string) (objectStore, storeLocation, *s3test.Server) {
	t.Helper()
	srv := s3test.Shared(t)
	srv.SetEnv(t)
	loc := storeLocation{Bucket: srv.Bucket(t, t.Name()), Prefix: prefix}
	st, err := openS3(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	return st, loc, srv
}

func TestObjectStore(t *testing.T) {
	ctx := context.Background()
	st, loc, srv := testStore(t, "team/notes")

	// Put: verified upload of a file; the object is where the prefix says.
	body := bytes.Repeat([]byte("0123456789abcdef"), 100_000)
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := st.Put(ctx, "warc/a.warc.gz", f, int64(len(body)))
	if err != nil {
		t.Fatalf("Put = %v", err)
	}
	if info.Size != int64(len(body)) || info.Key != "warc/a.warc.gz" || info.ETag == "" {
		t.Errorf("Put = %+v", info)
	}
	raw, err := srv.Object(loc.Bucket, "team/notes/warc/a.warc.gz")
	if err != nil || !bytes.Equal(raw, body) {
		t.Fatalf("object read back independently: %d bytes, %v; want the %d bytes put", len(raw), err, len(body))
	}
	// Put of a size that is not the file's is refused before any request.
	if _, err := st.Put(ctx, "warc/b.warc.gz", f, int64(len(body))+1); err == nil {
		t.Error("Put with a wrong size = nil error")
	}

	// GetRange reads exactly the bytes asked for.
	r, err := st.GetRange(ctx, "warc/a.warc.gz", 1_000_003, 20)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if want := body[1_000_003:1_000_023]; !bytes.Equal(got, want) {
		t.Errorf("GetRange = %q, want %q", got, want)
	}
	r, err = st.GetRange(ctx, "warc/a.warc.gz", int64(len(body))-5, -1)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(r)
	r.Close()
	if want := body[len(body)-5:]; !bytes.Equal(got, want) {
		t.Errorf("GetRange to the end = %q, want %q", got, want)
	}

	// Create only if absent; Replace only if unchanged.
	c, err := st.Create(ctx, "db/lease", []byte("one"), map[string]string{"host": "a"})
	if err != nil {
		t.Fatalf("Create = %v", err)
	}
	if _, err := st.Create(ctx, "db/lease", []byte("two"), nil); !errors.Is(err, errObjectExists) {
		t.Fatalf("second Create = %v, want errObjectExists", err)
	}
	rc, gi, err := st.Get(ctx, "db/lease")
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(rc)
	rc.Close()
	if string(got) != "one" || gi.Meta["host"] != "a" || gi.ETag != c.ETag {
		t.Errorf("Get after Create = %q %+v; want one, host a, etag %s", got, gi, c.ETag)
	}
	r2, err := st.Replace(ctx, "db/lease", c.ETag, []byte("three"), nil)
	if err != nil {
		t.Fatalf("Replace with the current etag = %v", err)
	}
	if _, err := st.Replace(ctx, "db/lease", c.ETag, []byte("four"), nil); !errors.Is(err, errObjectChanged) {
		t.Fatalf("Replace with a stale etag = %v, want errObjectChanged", err)
	}
	raw, _ = srv.Object(loc.Bucket, "team/notes/db/lease")
	if string(raw) != "three" {
		t.Errorf("after the refused Replace the object is %q, want three", raw)
	}
	if r2.ETag == c.ETag {
		t.Errorf("Replace kept the etag %s", c.ETag)
	}

	// Stat, List (relative keys, in order), Delete.
	if _, err := st.Stat(ctx, "warc/none"); !errors.Is(err, errObjectNotFound) {
		t.Errorf("Stat of a missing key = %v, want errObjectNotFound", err)
	}
	list, err := st.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range list {
		keys = append(keys, o.Key)
	}
	if strings.Join(keys, " ") != "db/lease warc/a.warc.gz" {
		t.Errorf("List = %q", keys)
	}
	if err := st.Delete(ctx, "db/lease"); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, "db/lease"); err != nil {
		t.Errorf("Delete of a missing key = %v", err)
	}
	if _, err := st.Stat(ctx, "db/lease"); !errors.Is(err, errObjectNotFound) {
		t.Errorf("Stat after Delete = %v", err)
	}
}

func TestObjectStoreErrors(t *testing.T) {
	ctx := context.Background()
	_, loc, srv := testStore(t, "p")

	// A bucket that does not exist: named, with the operation, exit 3.
	missing := storeLocation{Bucket: "no-such-bucket-here", Prefix: "p"}
	st, err := openS3(ctx, missing)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Put(ctx, "warc/x.warc.gz", strings.NewReader("x"), 1)
	if !errors.Is(err, errBucketMissing) || linkvault.ErrorCode(err) != linkvault.EInternal {
		t.Fatalf("Put into a missing bucket = %v (code %s), want errBucketMissing, EInternal", err, linkvault.ErrorCode(err))
	}
	if msg := err.Error(); msg != "s3://no-such-bucket-here/p: put warc/x.warc.gz: NoSuchBucket: bucket no-such-bucket-here does not exist" {
		t.Errorf("message = %q", msg)
	}

	// Wrong secret key: the bucket and the operation are named.
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey+"x")
	st, err = openS3(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Stat(ctx, "warc/x.warc.gz")
	if err == nil || linkvault.ErrorCode(err) != linkvault.EInternal {
		t.Fatalf("Stat with a wrong key = %v", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "s3://"+loc.Bucket+"/p: stat warc/x.warc.gz: ") || strings.Contains(msg, "\n") {
		t.Errorf("message = %q, want one line naming the bucket and the operation", msg)
	}
	_, err = st.List(ctx, "warc/")
	if msg := err.Error(); !strings.HasPrefix(msg, "s3://"+loc.Bucket+"/p: list warc/*: ") ||
		!strings.Contains(msg, "SignatureDoesNotMatch") {
		t.Errorf("List with a wrong key: %q, want SignatureDoesNotMatch named", msg)
	}
}
