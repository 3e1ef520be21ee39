package archive

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"github.com/linkvault/linkvault"
)

// Defaults of RemoteOptions.
const (
	// DefaultLease is how long a lease on a database in a bucket lasts
	// after its last renewal; a run renews it every third of that.
	DefaultLease = 10 * time.Minute
	// DefaultGenerations is how many generations of a database in a
	// bucket are kept.
	DefaultGenerations = 7
)

// RemoteOptions configures a database kept in an object store. The zero
// value means the defaults.
type RemoteOptions struct {
	// Lease is how long the lease of a writing run lasts after its last
	// renewal (DefaultLease when zero). A run renews it every Lease/3; a
	// lease not renewed for Lease (its runner crashed) is taken over by
	// the next run, with a warning.
	Lease time.Duration

	// Generations is how many generations are kept, the new one included
	// (DefaultGenerations when zero).
	Generations int

	// Dir is the local folder of the working copy (a new folder under
	// os.TempDir when empty).
	Dir string

	// Warn receives warnings (a lease taken over, generations that could
	// not be pruned). Nil drops them.
	Warn func(msg string)

	// Command and Version are written into the lease and the generations
	// for the next reader's messages.
	Command, Version string

	// Now returns the current time (time.Now when nil).
	Now func() time.Time
}

// Generation is one snapshot of a database kept in an object store.
type Generation struct {
	Number  int64     // 1, 2, …: the latest is the highest
	Created time.Time // when it was uploaded
	Size    int64     // bytes of the compressed object
	DBSize  int64     // bytes of the database file
	SHA256  string    // of the database file, hex
	From    int64     // the generation its run started from (0: none)
	Host    string    // the machine that uploaded it
	Command string    // the command that made it: "check", "restore 4" …
}

// IsRemote reports whether name is the URL of a database kept in an
// object store (s3://BUCKET/PREFIX/NAME.db) rather than a file.
func IsRemote(name string) bool { return strings.HasPrefix(name, "s3://") }

// remoteDB is a database in an object store: the objects NAME/lease and
// NAME/gen-NNNNNNNNNNNN.db.zst next to the store's other objects.
type remoteDB struct {
	url   string // s3://BUCKET/PREFIX/NAME without its options, for messages
	name  string // NAME: the key prefix of its objects
	store objectStore
	opts  RemoteOptions
}

// Object names of a remote database, under its NAME.
const (
	leaseObject = "lease"
	genPrefix   = "gen-"
	genSuffix   = ".db.zst"
)

// Metadata of a generation object (S3 user metadata: lower case).
const (
	genMetaSHA256  = "linkvault-sha256"
	genMetaDBSize  = "linkvault-db-size"
	genMetaFrom    = "linkvault-from"
	genMetaHost    = "linkvault-host"
	genMetaCreated = "linkvault-created"
	genMetaCommand = "linkvault-command"
	genMetaVersion = "linkvault-version"
)

// openRemote connects to the object store of the database URL u:
// s3://BUCKET/PREFIX/NAME?options, where the store is
// s3://BUCKET/PREFIX?options and NAME the database's name in it.
func openRemote(ctx context.Context, u string, opts RemoteOptions) (*remoteDB, error) {
	storeURL, name, clean, err := splitDBURL(u)
	if err != nil {
		return nil, err
	}
	loc, err := parseStoreURL(storeURL)
	if err != nil {
		return nil, err
	}
	st, err := openS3(ctx, loc)
	if err != nil {
		return nil, err
	}
	return newRemote(st, clean, name, opts), nil
}

func newRemote(st objectStore, url, name string, opts RemoteOptions) *remoteDB {
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Generations <= 0 {
		opts.Generations = DefaultGenerations
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Warn == nil {
		opts.Warn = func(string) {}
	}
	return &remoteDB{url: url, name: name, store: st, opts: opts}
}

// splitDBURL splits s3://BUCKET/PREFIX/NAME?query into the store's URL
// s3://BUCKET/PREFIX?query, NAME, and s3://BUCKET/PREFIX/NAME.
func splitDBURL(u string) (storeURL, name, clean string, err error) {
	base, query, _ := strings.Cut(u, "?")
	rest := strings.TrimPrefix(base, "s3://")
	bucket, key, _ := strings.Cut(rest, "/")
	key = strings.Trim(key, "/")
	if bucket == "" || key == "" {
		return "", "", "", linkvault.Errorf(linkvault.EInvalid,
			"%s: a database in a bucket is s3://BUCKET/[PREFIX/]NAME, e.g. s3://notes/linkvault/linkvault.db", u)
	}
	dir, name := path.Split(key)
	storeURL = "s3://" + bucket + "/" + strings.TrimSuffix(dir, "/")
	if query != "" {
		storeURL += "?" + query
	}
	return storeURL, name, "s3://" + bucket + "/" + key, nil
}

func (r *remoteDB) key(obj string) string { return r.name + "/" + obj }

func genObject(n int64) string { return fmt.Sprintf("%s%012d%s", genPrefix, n, genSuffix) }

// genNumber returns the number of a generation object's key, false for
// other keys.
func genNumber(key string) (int64, bool) {
	base := path.Base(key)
	if !strings.HasPrefix(base, genPrefix) || !strings.HasSuffix(base, genSuffix) {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(base, genPrefix), genSuffix), 10, 64)
	return n, err == nil && n > 0
}

// numbers lists the generations' numbers, oldest first.
func (r *remoteDB) numbers(ctx context.Context) ([]int64, error) {
	objs, err := r.store.List(ctx, r.key(genPrefix))
	if err != nil {
		return nil, err
	}
	var ns []int64
	for _, o := range objs {
		if n, ok := genNumber(o.Key); ok {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	return slices.Compact(ns), nil
}

// generation reads the description of generation n.
func (r *remoteDB) generation(ctx context.Context, n int64) (Generation, error) {
	info, err := r.store.Stat(ctx, r.key(genObject(n)))
	if err != nil {
		return Generation{}, err
	}
	return generationOf(n, info), nil
}

func generationOf(n int64, info objectInfo) Generation {
	g := Generation{Number: n, Size: info.Size, Created: info.Modified}
	m := info.Meta
	g.SHA256 = m[genMetaSHA256]
	g.DBSize, _ = strconv.ParseInt(m[genMetaDBSize], 10, 64)
	g.From, _ = strconv.ParseInt(m[genMetaFrom], 10, 64)
	g.Host = m[genMetaHost]
	g.Command = m[genMetaCommand]
	if t, err := time.Parse(time.RFC3339Nano, m[genMetaCreated]); err == nil {
		g.Created = t
	}
	return g
}

// Generations lists the generations of the database at the URL u, oldest
// first.
func Generations(ctx context.Context, u string) ([]Generation, error) {
	r, err := openRemote(ctx, u, RemoteOptions{})
	if err != nil {
		return nil, err
	}
	return r.generations(ctx)
}

func (r *remoteDB) generations(ctx context.Context) ([]Generation, error) {
	ns, err := r.numbers(ctx)
	if err != nil {
		return nil, err
	}
	gens := make([]Generation, 0, len(ns))
	for _, n := range ns {
		g, err := r.generation(ctx, n)
		if errors.Is(err, errObjectNotFound) {
			continue // pruned meanwhile
		}
		if err != nil {
			return nil, err
		}
		gens = append(gens, g)
	}
	return gens, nil
}

// generationError is the error for a generation that cannot be used: it
// names the generation before it, from which a run can start again.
type generationError struct {
	url      string
	gen      Generation
	what     string
	previous *Generation
	notFound bool
}

func (e *generationError) Error() string {
	var b strings.Builder
	if e.notFound {
		fmt.Fprintf(&b, "%s: generation %d does not exist", e.url, e.gen.Number)
	} else {
		fmt.Fprintf(&b, "%s: generation %d (%s) is damaged: %s", e.url, e.gen.Number, stamp(e.gen.Created), e.what)
	}
	if p := e.previous; p != nil {
		fmt.Fprintf(&b, "; the previous one is generation %d (%s): 'linkvault db restore %d' starts again from it", p.Number, stamp(p.Created), p.Number)
	} else {
		b.WriteString("; no generation before it is kept")
	}
	return b.String()
}

func (e *generationError) Is(target error) bool { return target == errDamaged && !e.notFound }

// stamp formats a time for messages, in UTC to the second.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "time unknown"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// fetch downloads generation n into the file p and checks it: the size
// and SHA-256 its upload recorded, and the file itself as Open does. A
// generation that fails is refused with an error that names the previous
// generation (code EInternal, matching ErrDamaged).
func (r *remoteDB) fetch(ctx context.Context, n int64, p string) (Generation, error) {
	rc, info, err := r.store.Get(ctx, r.key(genObject(n)))
	if errors.Is(err, errObjectNotFound) {
		return Generation{Number: n}, r.refuse(ctx, Generation{Number: n}, "", true)
	}
	if err != nil {
		return Generation{}, err
	}
	defer rc.Close()
	g := generationOf(n, info)
	what, err := r.download(rc, g, p)
	if err != nil {
		return g, err
	}
	if what != "" {
		return g, r.refuse(ctx, g, what, false)
	}
	return g, nil
}

// download decompresses body into the file p; what says what is wrong
// with the generation, err is an error of the local disk.
func (r *remoteDB) download(body io.Reader, g Generation, p string) (what string, err error) {
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return "", fmt.Errorf("archive: download %s: %w", r.url, err)
	}
	defer f.Close()
	dec, err := zstd.NewReader(body, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return "", fmt.Errorf("archive: download %s: %w", r.url, err)
	}
	defer dec.Close()
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, sum), dec)
	var pe *os.PathError
	switch {
	case errors.As(err, &pe):
		return "", fmt.Errorf("archive: download %s: %w", r.url, err)
	case err != nil:
		return fmt.Sprintf("its compressed stream is cut short or altered (%v)", err), nil
	case g.DBSize > 0 && n != g.DBSize:
		return fmt.Sprintf("it holds %d bytes, its upload recorded %d", n, g.DBSize), nil
	case g.SHA256 != "" && hex.EncodeToString(sum.Sum(nil)) != g.SHA256:
		return "its SHA-256 is not the one its upload recorded", nil
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("archive: download %s: %w", r.url, err)
	}
	if n == 0 {
		return "it is empty", nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("archive: download %s: %w", r.url, err)
	}
	var d *damage
	err = checkFile(f, n)
	switch {
	case errors.Is(err, errNotBolt):
		return "it is not a linkvault database", nil
	case errors.As(err, &d):
		return d.what, nil
	case err != nil:
		return "", fmt.Errorf("archive: check %s: %w", p, err)
	}
	return "", nil
}

// refuse returns the error for generation g, naming the generation before it.
func (r *remoteDB) refuse(ctx context.Context, g Generation, what string, notFound bool) error {
	e := &generationError{url: r.url, gen: g, what: what, notFound: notFound}
	if ns, err := r.numbers(ctx); err == nil {
		for i := len(ns) - 1; i >= 0; i-- {
			if ns[i] < g.Number {
				if p, err := r.generation(ctx, ns[i]); err == nil {
					e.previous = &p
				}
				break
			}
		}
	}
	code := linkvault.EInternal
	if notFound {
		code = linkvault.ENotFound
	}
	return &linkvault.Error{Code: code, Err: e}
}

// upload writes a snapshot of db (one read transaction: consistent) as
// generation number n, compressed with zstd, and checks what the store
// then holds: its size, and its MD5 when the ETag is one. Creation is
// conditional: a generation is never overwritten.
func (r *remoteDB) upload(ctx context.Context, db *DB, n, from int64, command string) (Generation, error) {
	var buf bytes.Buffer
	size, sum, err := snapshot(db, &buf)
	if err != nil {
		return Generation{}, err
	}
	return r.put(ctx, n, buf.Bytes(), Generation{
		Number:  n,
		DBSize:  size,
		SHA256:  sum,
		From:    from,
		Command: command,
	})
}

// dbWindow is the zstd window of the generations written: what every
// reader of one (`get`, `report`, … with the database in a bucket) holds in
// memory to decompress it. zstd's default, 8 MB, was 9 MB of the 11 MB heap
// of such a `get` (peak RSS 36.7 MB, 29.5 MB with 1 MB). The price is in
// the bucket: the 182 MB database of BENCHMARKS.md (365 runs × 10,000 URLs)
// compresses to 6.5 MB instead of 5.8 MB (2 MB: 6.2 MB, 4 MB: 5.9 MB).
// Generations written with another window are read as ever.
const dbWindow = 1 << 20

// dbEncoder returns the zstd encoder of generations, writing to w (nil for
// EncodeAll).
func dbEncoder(w io.Writer) (*zstd.Encoder, error) {
	return zstd.NewWriter(w, zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(true), zstd.WithWindowSize(dbWindow))
}

// snapshot writes a consistent copy of db (one read transaction),
// compressed with zstd, to w, and returns the size and the hex SHA-256 of
// the uncompressed copy.
func snapshot(db *DB, w io.Writer) (size int64, sha string, err error) {
	enc, err := dbEncoder(w)
	if err != nil {
		return 0, "", err
	}
	sum := sha256.New()
	err = db.view(func(tx *bolt.Tx) error {
		var err error
		size, err = tx.WriteTo(io.MultiWriter(enc, sum))
		return err
	})
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		return 0, "", fmt.Errorf("archive: snapshot %s: %w", db.path, err)
	}
	return size, hex.EncodeToString(sum.Sum(nil)), nil
}

// putDB compresses the database file's bytes and stores them as
// generation n.
func (r *remoteDB) putDB(ctx context.Context, n int64, db []byte, g Generation) (Generation, error) {
	enc, err := dbEncoder(nil)
	if err != nil {
		return g, err
	}
	sum := sha256.Sum256(db)
	g.Number, g.DBSize, g.SHA256 = n, int64(len(db)), hex.EncodeToString(sum[:])
	return r.put(ctx, n, enc.EncodeAll(db, nil), g)
}

// put stores the compressed body as generation g.Number and verifies it.
func (r *remoteDB) put(ctx context.Context, n int64, body []byte, g Generation) (Generation, error) {
	host, _ := os.Hostname()
	g.Host, g.Created, g.Size = host, r.opts.Now().UTC(), int64(len(body))
	meta := map[string]string{
		genMetaSHA256:  g.SHA256,
		genMetaDBSize:  strconv.FormatInt(g.DBSize, 10),
		genMetaFrom:    strconv.FormatInt(g.From, 10),
		genMetaHost:    g.Host,
		genMetaCreated: g.Created.Format(time.RFC3339Nano),
		genMetaCommand: g.Command,
		genMetaVersion: r.opts.Version,
	}
	key := r.key(genObject(n))
	if _, err := r.store.Create(ctx, key, body, meta); errors.Is(err, errObjectExists) {
		return g, &linkvault.Error{Code: linkvault.EConflict,
			Message: fmt.Sprintf("%s: generation %d was uploaded by another run meanwhile", r.url, n), Err: err}
	} else if err != nil {
		return g, err
	}
	info, err := r.store.Stat(ctx, key)
	if err != nil {
		return g, fmt.Errorf("%s: verify generation %d: %w", r.url, n, err)
	}
	md := md5.Sum(body)
	etag := strings.Trim(info.ETag, `"`)
	if info.Size != g.Size || len(etag) == 32 && etag != hex.EncodeToString(md[:]) || info.Meta[genMetaSHA256] != g.SHA256 {
		_ = r.store.Delete(ctx, key)
		return g, &linkvault.Error{Code: linkvault.EInternal,
			Message: fmt.Sprintf("%s: generation %d did not arrive intact (%d bytes, ETag %s; sent %d bytes, MD5 %x); deleted it", r.url, n, info.Size, info.ETag, g.Size, md)}
	}
	return g, nil
}

// prune deletes all but the newest opts.Generations generations. A
// failure is a warning: the generations are still there next time.
func (r *remoteDB) prune(ctx context.Context) {
	ns, err := r.numbers(ctx)
	if err != nil {
		r.opts.Warn(fmt.Sprintf("%s: old generations not pruned: %v", r.url, err))
		return
	}
	for len(ns) > r.opts.Generations {
		if err := r.store.Delete(ctx, r.key(genObject(ns[0]))); err != nil && !errors.Is(err, errObjectNotFound) {
			r.opts.Warn(fmt.Sprintf("%s: generation %d not pruned: %v", r.url, ns[0], err))
		}
		ns = ns[1:]
	}
}

// workDir returns the folder for a local copy: opts.Dir, or a new
// temporary one (temp reports which, for the cleanup).
func (r *remoteDB) workDir() (dir string, temp bool, err error) {
	if r.opts.Dir != "" {
		if err := os.MkdirAll(r.opts.Dir, 0o700); err != nil {
			return "", false, fmt.Errorf("archive: %s: %w", r.url, err)
		}
		return r.opts.Dir, false, nil
	}
	dir, err = os.MkdirTemp("", "linkvault-db-")
	if err != nil {
		return "", false, fmt.Errorf("archive: %s: %w", r.url, err)
	}
	return dir, true, nil
}

// Fetched is a generation downloaded for reading. Close deletes it.
type Fetched struct {
	Path       string     // the local database file
	Generation Generation // Number 0: the bucket holds no database yet
	dir        string
	temp       bool
}

// Close deletes the downloaded file.
func (f *Fetched) Close() error {
	if f.temp {
		return os.RemoveAll(f.dir)
	}
	return os.Remove(f.Path)
}

// Fetch downloads generation gen of the database at the URL u, the
// latest when gen is 0, for commands that only read: no lease is taken.
// A bucket without any generation is an ENotFound error; a damaged
// generation is refused (see Checkout).
func Fetch(ctx context.Context, u string, gen int64, opts RemoteOptions) (*Fetched, error) {
	r, err := openRemote(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	return r.fetchTo(ctx, gen)
}

func (r *remoteDB) fetchTo(ctx context.Context, gen int64) (*Fetched, error) {
	if gen == 0 {
		ns, err := r.numbers(ctx)
		if err != nil {
			return nil, err
		}
		if len(ns) == 0 {
			return nil, &linkvault.Error{Code: linkvault.ENotFound,
				Message: fmt.Sprintf("%s: no database yet (run 'linkvault check' first)", r.url)}
		}
		gen = ns[len(ns)-1]
	}
	dir, temp, err := r.workDir()
	if err != nil {
		return nil, err
	}
	f := &Fetched{Path: filepath.Join(dir, r.name), dir: dir, temp: temp}
	g, err := r.fetch(ctx, gen, f.Path)
	if err != nil {
		f.Close()
		return nil, err
	}
	f.Generation = g
	return f, nil
}
