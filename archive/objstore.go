package archive

// The object store: the little of S3 the archive needs, behind an
// unexported interface so that no SDK type leaves this package. See the
// package doc ("Object storage") for why the AWS SDK for Go v2.

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/linkvault/linkvault"
)

// objectStore is what the archive needs of an object store. Keys are
// relative to the store's prefix ("warc/NAME.warc.gz", "db/…"); the store
// adds and strips the prefix. Errors name the store, the operation and the
// key ("s3://b/p: put warc/x.warc.gz: AccessDenied: …").
type objectStore interface {
	// Put uploads size bytes of body under key and verifies the upload:
	// the server checks the body's MD5 (Content-MD5), and the object's
	// size and SHA-256 (kept in its metadata) are read back before Put
	// returns. body is read from its start; it may be read twice.
	Put(ctx context.Context, key string, body io.ReadSeeker, size int64) (objectInfo, error)
	// Create writes body under key only if no object is there
	// (If-None-Match: *); otherwise the error is errObjectExists.
	Create(ctx context.Context, key string, body []byte, meta map[string]string) (objectInfo, error)
	// Replace writes body under key only if the object's ETag is still
	// etag (If-Match); otherwise the error is errObjectChanged (or
	// errObjectNotFound when the object is gone).
	Replace(ctx context.Context, key, etag string, body []byte, meta map[string]string) (objectInfo, error)
	// Get reads the whole object.
	Get(ctx context.Context, key string) (io.ReadCloser, objectInfo, error)
	// GetRange reads n bytes of the object from offset off (n < 0: to
	// its end) with one range request.
	GetRange(ctx context.Context, key string, off, n int64) (io.ReadCloser, error)
	// Stat returns the object's size, ETag, time and metadata;
	// errObjectNotFound when there is none.
	Stat(ctx context.Context, key string) (objectInfo, error)
	// List returns the objects whose keys start with prefix, in key
	// order (Meta is not filled in).
	List(ctx context.Context, prefix string) ([]objectInfo, error)
	// Delete removes the object; removing an absent object is no error.
	Delete(ctx context.Context, key string) error
}

// objectInfo describes a stored object. Key is relative to the store's
// prefix; Meta holds the user metadata (x-amz-meta-*), keys in lower case.
type objectInfo struct {
	Key      string
	Size     int64
	ETag     string
	Modified time.Time
	Meta     map[string]string
}

// Errors of the object store, to test with errors.Is.
var (
	// errObjectNotFound is returned when the key (or the bucket) names no object.
	errObjectNotFound = errors.New("no such object")
	// errObjectExists is returned by Create when the key is taken.
	errObjectExists = errors.New("object exists")
	// errObjectChanged is returned by Replace when the ETag no longer matches.
	errObjectChanged = errors.New("object changed")
	// errBucketMissing is returned by every operation when the bucket
	// does not exist (inside a *linkvault.Error with code EInternal).
	errBucketMissing = errors.New("no such bucket")
)

// metaSHA256 is the metadata key holding the hex SHA-256 of a Put body.
const metaSHA256 = "sha256"

// storeLocation is a parsed s3://BUCKET/PREFIX URL with its options.
type storeLocation struct {
	Bucket   string
	Prefix   string // without leading or trailing slash; may be ""
	Endpoint string // "" = from the environment (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, profile) or AWS
	Region   string // "" = from the environment, else us-east-1
	// PathStyle is "" (automatic: path style when the endpoint's host is
	// an IP address or localhost), "true" or "false".
	PathStyle string
}

// String returns the location as s3://BUCKET/PREFIX, without options.
func (l storeLocation) String() string {
	if l.Prefix == "" {
		return "s3://" + l.Bucket
	}
	return "s3://" + l.Bucket + "/" + l.Prefix
}

// key returns the object key of rel (a key relative to the prefix).
func (l storeLocation) key(rel string) string {
	if l.Prefix == "" {
		return rel
	}
	return l.Prefix + "/" + rel
}

// isStoreURL reports whether s names an object store (s3://…) rather than
// a local directory.
func isStoreURL(s string) bool { return strings.HasPrefix(s, "s3://") }

// parseStoreURL parses s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path_style=true|false].
func parseStoreURL(s string) (storeLocation, error) {
	bad := func(format string, args ...any) (storeLocation, error) {
		return storeLocation{}, linkvault.Errorf(linkvault.EInvalid, "store %q: "+format, append([]any{s}, args...)...)
	}
	if !isStoreURL(s) {
		return bad("not an s3://BUCKET/PREFIX URL")
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("%v", err)
	}
	if u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return bad("want s3://BUCKET/PREFIX")
	}
	loc := storeLocation{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}
	if !validBucket(loc.Bucket) {
		return bad("bad bucket name %q (3–63 lower-case letters, digits, dots and hyphens)", loc.Bucket)
	}
	if strings.Contains(loc.Prefix, "//") || path.Clean("/"+loc.Prefix) != "/"+loc.Prefix && loc.Prefix != "" {
		return bad("bad prefix %q", loc.Prefix)
	}
	for k, v := range u.Query() {
		if len(v) != 1 {
			return bad("option %s given %d times", k, len(v))
		}
		switch k {
		case "endpoint":
			e, err := url.Parse(v[0])
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
				return bad("endpoint %q: want http(s)://HOST[:PORT]", v[0])
			}
			loc.Endpoint = v[0]
		case "region":
			if v[0] == "" {
				return bad("empty region")
			}
			loc.Region = v[0]
		case "path_style":
			if _, err := strconv.ParseBool(v[0]); err != nil {
				return bad("path_style %q: want true or false", v[0])
			}
			b, _ := strconv.ParseBool(v[0])
			loc.PathStyle = strconv.FormatBool(b)
		default:
			return bad("unknown option %q (known: endpoint, region, path_style)", k)
		}
	}
	return loc, nil
}

// validBucket reports whether b is a valid S3 bucket name.
func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return b[0] != '-' && b[0] != '.' && b[len(b)-1] != '-' && b[len(b)-1] != '.'
}

// pathStyleHost reports whether endpoint names an IP address or localhost,
// where virtual-host addressing (BUCKET.HOST) cannot work.
func pathStyleHost(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return net.ParseIP(h) != nil || h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// s3Store is the objectStore of an S3-compatible service.
type s3Store struct {
	loc    storeLocation
	client *s3.Client
}

// openS3 returns the store of loc. Credentials, region, endpoint and
// profile come from the standard AWS chain (environment, shared config
// files, instance roles); loc's endpoint and region, when set, win. No
// request is made: a wrong key or a missing bucket shows at the first
// operation.
func openS3(ctx context.Context, loc storeLocation) (objectStore, error) {
	var opts []func(*config.LoadOptions) error
	if loc.Region != "" {
		opts = append(opts, config.WithRegion(loc.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, linkvault.Errorf(linkvault.EInvalid, "%s: aws config: %w", loc, err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // what S3-compatible services expect when none is named
	}
	// Services other than AWS do not all know the newer checksum headers
	// and trailers; Put sends Content-MD5, which all of them verify.
	cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if loc.Endpoint != "" {
			o.BaseEndpoint = aws.String(loc.Endpoint)
		}
		switch loc.PathStyle {
		case "true":
			o.UsePathStyle = true
		case "false":
			o.UsePathStyle = false
		default:
			o.UsePathStyle = o.BaseEndpoint != nil && pathStyleHost(*o.BaseEndpoint)
		}
	})
	return &s3Store{loc: loc, client: client}, nil
}

// fail wraps err of operation op on key as one line,
// "s3://b/p: op key: CODE: message", in a *linkvault.Error with code
// EInternal (the command exits 3: wrong credentials, a missing bucket, an
// unreachable service). The sentinels errBucketMissing, errObjectNotFound,
// errObjectExists and errObjectChanged, and err itself, stay in the chain.
func (s *s3Store) fail(op, key string, err error) error {
	what := op
	if key != "" {
		what += " " + key
	}
	code, msg := "", ""
	var api smithy.APIError
	if errors.As(err, &api) {
		code, msg = api.ErrorCode(), api.ErrorMessage()
	}
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	var sentinel error
	switch {
	case code == "NoSuchBucket":
		sentinel, msg = errBucketMissing, "bucket "+s.loc.Bucket+" does not exist"
	case code == "NoSuchKey" || code == "NotFound" || status == http.StatusNotFound:
		sentinel = errObjectNotFound
	case code == "PreconditionFailed" || status == http.StatusPreconditionFailed:
		sentinel = errObjectChanged
		if op == "create" {
			sentinel = errObjectExists
		}
	case code == "ConditionalRequestConflict" || status == http.StatusConflict && (op == "create" || op == "replace"):
		sentinel = errObjectChanged
	}
	detail := code
	if msg != "" && msg != code {
		detail += ": " + msg
	}
	if code == "" {
		detail = err.Error()
		var oe *smithy.OperationError
		if errors.As(err, &oe) {
			detail = oe.Err.Error()
		}
		var ue *url.Error
		switch {
		case status != 0:
			detail = fmt.Sprintf("HTTP %d", status)
		case errors.As(err, &ue):
			detail = "no answer: " + ue.Err.Error() // after the SDK's retries
		}
	}
	return linkvault.Errorf(linkvault.EInternal, "%w", &storeError{
		msg: fmt.Sprintf("%s: %s: %s", s.loc, what, detail), sentinel: sentinel, err: err})
}

// storeError is an object store error: one line for the user, the
// sentinel and the client's error for errors.Is and errors.As.
type storeError struct {
	msg      string
	sentinel error
	err      error
}

func (e *storeError) Error() string { return e.msg }

func (e *storeError) Unwrap() []error {
	if e.sentinel == nil {
		return []error{e.err}
	}
	return []error{e.sentinel, e.err}
}

// Put implements objectStore.
func (s *s3Store) Put(ctx context.Context, key string, body io.ReadSeeker, size int64) (objectInfo, error) {
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return objectInfo{}, fmt.Errorf("%s: put %s: %w", s.loc, key, err)
	}
	m, h := md5.New(), sha256.New()
	n, err := io.Copy(io.MultiWriter(m, h), body)
	if err != nil {
		return objectInfo{}, fmt.Errorf("%s: put %s: read: %w", s.loc, key, err)
	}
	if n != size {
		return objectInfo{}, fmt.Errorf("%s: put %s: the file has %d bytes, not %d", s.loc, key, n, size)
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return objectInfo{}, fmt.Errorf("%s: put %s: %w", s.loc, key, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.loc.Bucket),
		Key:           aws.String(s.loc.key(key)),
		Body:          io.NewSectionReader(readerAt{body}, 0, size),
		ContentLength: aws.Int64(size),
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(m.Sum(nil))),
		Metadata:      map[string]string{metaSHA256: sum},
	}, s3.WithAPIOptions(
		// Content-MD5 guards the body: the SDK need not read a file of
		// up to gigabytes once more to hash it into the signature.
		v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	if err != nil {
		return objectInfo{}, s.fail("put", key, err)
	}
	info, err := s.Stat(ctx, key)
	if err != nil {
		return objectInfo{}, err
	}
	if info.Size != size || info.Meta[metaSHA256] != sum {
		return objectInfo{}, &linkvault.Error{Code: linkvault.EInternal, Message: fmt.Sprintf(
			"%s: put %s: verify: the object has %d bytes and sha256 %q, the file %d bytes and sha256 %s",
			s.loc, key, info.Size, info.Meta[metaSHA256], size, sum)}
	}
	return info, nil
}

// readerAt makes an io.ReadSeeker an io.ReaderAt for io.SectionReader
// (which the SDK can rewind for a retry). It is not safe for concurrent use.
type readerAt struct{ r io.ReadSeeker }

func (r readerAt) ReadAt(p []byte, off int64) (int, error) {
	if ra, ok := r.r.(io.ReaderAt); ok {
		return ra.ReadAt(p, off)
	}
	if _, err := r.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(r.r, p)
}

// Create implements objectStore.
func (s *s3Store) Create(ctx context.Context, key string, body []byte, meta map[string]string) (objectInfo, error) {
	return s.putSmall(ctx, "create", key, body, meta, func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") })
}

// Replace implements objectStore.
func (s *s3Store) Replace(ctx context.Context, key, etag string, body []byte, meta map[string]string) (objectInfo, error) {
	return s.putSmall(ctx, "replace", key, body, meta, func(in *s3.PutObjectInput) { in.IfMatch = aws.String(etag) })
}

func (s *s3Store) putSmall(ctx context.Context, op, key string, body []byte, meta map[string]string, cond func(*s3.PutObjectInput)) (objectInfo, error) {
	m := md5.Sum(body)
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.loc.Bucket),
		Key:           aws.String(s.loc.key(key)),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(m[:])),
		Metadata:      meta,
	}
	cond(in)
	out, err := s.client.PutObject(ctx, in)
	if err != nil {
		return objectInfo{}, s.fail(op, key, err)
	}
	return objectInfo{Key: key, Size: int64(len(body)), ETag: aws.ToString(out.ETag), Modified: time.Now(), Meta: meta}, nil
}

// Get implements objectStore.
func (s *s3Store) Get(ctx context.Context, key string) (io.ReadCloser, objectInfo, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.loc.Bucket),
		Key:    aws.String(s.loc.key(key)),
	})
	if err != nil {
		return nil, objectInfo{}, s.fail("get", key, err)
	}
	return out.Body, objectInfo{Key: key, Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag),
		Modified: aws.ToTime(out.LastModified), Meta: out.Metadata}, nil
}

// GetRange implements objectStore.
func (s *s3Store) GetRange(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	if off < 0 || n == 0 {
		return nil, fmt.Errorf("%s: get %s: bad range %d+%d", s.loc, key, off, n)
	}
	rng := fmt.Sprintf("bytes=%d-", off)
	if n > 0 {
		rng += strconv.FormatInt(off+n-1, 10)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.loc.Bucket),
		Key:    aws.String(s.loc.key(key)),
		Range:  aws.String(rng),
	})
	if err != nil {
		return nil, s.fail("get", fmt.Sprintf("%s (%s)", key, rng), err)
	}
	return out.Body, nil
}

// Stat implements objectStore.
func (s *s3Store) Stat(ctx context.Context, key string) (objectInfo, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(s.loc.Bucket),
		Key:    aws.String(s.loc.key(key)),
	})
	if err != nil {
		return objectInfo{}, s.fail("stat", key, err)
	}
	return objectInfo{Key: key, Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag),
		Modified: aws.ToTime(out.LastModified), Meta: out.Metadata}, nil
}

// List implements objectStore.
func (s *s3Store) List(ctx context.Context, prefix string) ([]objectInfo, error) {
	var list []objectInfo
	full := s.loc.key(prefix)
	strip := len(s.loc.key(""))
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.loc.Bucket),
		Prefix: aws.String(full),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, s.fail("list", prefix+"*", err)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if len(k) < strip {
				continue
			}
			list = append(list, objectInfo{Key: k[strip:], Size: aws.ToInt64(o.Size),
				ETag: aws.ToString(o.ETag), Modified: aws.ToTime(o.LastModified)})
		}
	}
	return list, nil
}

// Delete implements objectStore.
func (s *s3Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(s.loc.Bucket),
		Key:    aws.String(s.loc.key(key)),
	})
	if err != nil {
		if err = s.fail("delete", key, err); errors.Is(err, errObjectNotFound) {
			return nil
		}
		return err
	}
	return nil
}
