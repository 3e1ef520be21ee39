// Package s3test starts a real S3-compatible server for tests: SeaweedFS
// ("weed mini", Apache-2.0) on loopback, on free ports, with its data in a
// temporary directory and one access key.
//
// The weed binary is taken from $LINKVAULT_WEED, else
// $XDG_CACHE_HOME/linkvault-test/weed/weed (~/.cache/…, where .ci/run
// builds it), else "weed" on PATH. When there is none, a test calling Start
// fails under CI=true and is skipped otherwise, with one line saying why.
//
// The server is started with -master.telemetry=false (otherwise SeaweedFS
// reports to telemetry.seaweedfs.com), binds 127.0.0.1 only, and with
// -s3.autoCreateBucket=false, so that a missing bucket is an error as on
// any real service. It talks to nothing but loopback.
//
// Starting takes a few seconds: a test package should share one server
// (Shared, with StopShared in TestMain) and make a bucket per test.
//
// Requests of this package (creating buckets, reading objects) are signed
// here with AWS Signature Version 4, by hand, so that tests check the
// archive's client against an independent one.
package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running SeaweedFS with its S3 gateway on loopback.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	Region    string

	bin   string
	dir   string // data and logs
	args  []string
	mu    sync.Mutex
	cmd   *exec.Cmd
	done  chan struct{}
	log   *os.File
	owner testing.TB // nil for the shared server
}

// Binary returns the path of the weed binary and "" when there is none,
// with the reason.
func Binary() (string, string) {
	if p := os.Getenv("LINKVAULT_WEED"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Sprintf("LINKVAULT_WEED=%s: %v", p, err)
		}
		return p, ""
	}
	if p := CachedBinary(); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p, ""
		}
	}
	if p, err := exec.LookPath("weed"); err == nil {
		return p, ""
	}
	return "", "no SeaweedFS weed binary (set LINKVAULT_WEED, or run .ci/run, which builds " + CachedBinary() + ")"
}

// CachedBinary is where .ci/run builds weed: $XDG_CACHE_HOME (else
// ~/.cache)/linkvault-test/weed/weed.
func CachedBinary() string {
	dir := os.Getenv("XDG_CACHE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".cache")
	}
	return filepath.Join(dir, "linkvault-test", "weed", "weed")
}

// requireBinary returns the weed binary or ends t: fails under CI=true,
// else skips.
func requireBinary(t testing.TB) string {
	t.Helper()
	bin, why := Binary()
	if bin != "" {
		return bin
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("s3test: %s", why)
	}
	t.Skipf("skipped: %s", why)
	return ""
}

// Start starts a server for t, stopped when t ends. Its data is in
// t.TempDir().
func Start(t testing.TB) *Server {
	t.Helper()
	bin := requireBinary(t)
	s, err := start(bin, t.TempDir())
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	s.owner = t
	t.Cleanup(s.stop)
	return s
}

// New starts a server with its data in dir, for callers without a
// testing.TB (testscript commands); Close stops it. It fails when there
// is no weed binary (see Binary).
func New(dir string) (*Server, error) {
	bin, why := Binary()
	if bin == "" {
		return nil, errors.New(why)
	}
	return start(bin, dir)
}

// Close stops the server (SIGKILL; its data stays in its directory).
func (s *Server) Close() { s.stop() }

var shared struct {
	sync.Mutex
	s   *Server
	err error
	dir string
}

// Shared returns the server of this test process, starting it on the
// first call. Call StopShared from TestMain after m.Run: the server is a
// process of its own. Tests sharing it must not Kill it.
func Shared(t testing.TB) *Server {
	t.Helper()
	bin := requireBinary(t)
	shared.Lock()
	defer shared.Unlock()
	if shared.s == nil && shared.err == nil {
		dir, err := os.MkdirTemp("", "s3test-")
		if err == nil {
			shared.dir = dir
			shared.s, err = start(bin, dir)
		}
		shared.err = err
	}
	if shared.err != nil {
		t.Fatalf("s3test: %v", shared.err)
	}
	return shared.s
}

// StopShared stops the shared server, if one was started, and removes its
// data.
func StopShared() {
	shared.Lock()
	defer shared.Unlock()
	if shared.s != nil {
		shared.s.stop()
		shared.s = nil
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
		shared.dir = ""
	}
}

// freePorts returns n distinct free TCP ports on 127.0.0.1, below the
// ephemeral range where possible: SeaweedFS derives nothing from them
// since every port is given.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	var ports []int
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func start(bin, dir string) (*Server, error) {
	key := make([]byte, 10)
	secret := make([]byte, 20)
	_, _ = rand.Read(key)
	_, _ = rand.Read(secret)
	s := &Server{
		AccessKey: "LVTEST" + strings.ToUpper(hex.EncodeToString(key))[:14],
		SecretKey: hex.EncodeToString(secret),
		Region:    "us-east-1",
		bin:       bin,
		dir:       dir,
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	conf, err := json.Marshal(map[string]any{"identities": []any{map[string]any{
		"name":        "linkvault-test",
		"credentials": []any{map[string]string{"accessKey": s.AccessKey, "secretKey": s.SecretKey}},
		"actions":     []string{"Admin", "Read", "List", "Tagging", "Write"},
	}}})
	if err != nil {
		return nil, err
	}
	confPath := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(confPath, conf, 0o600); err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a port taken in between: try others
		p, err := freePorts(10)
		if err != nil {
			return nil, err
		}
		s.Endpoint = "http://127.0.0.1:" + strconv.Itoa(p[0])
		s.args = []string{"mini",
			"-dir=" + data,
			"-ip=127.0.0.1", "-ip.bind=127.0.0.1",
			"-master.telemetry=false",
			"-webdav=false", "-admin.ui=false",
			"-s3.config=" + confPath,
			"-s3.autoCreateBucket=false",
			"-s3.iam=false",
			"-s3.port=" + strconv.Itoa(p[0]), "-s3.port.grpc=" + strconv.Itoa(p[1]),
			"-s3.port.iceberg=0", "-s3.port.lance=0",
			"-master.port=" + strconv.Itoa(p[2]), "-master.port.grpc=" + strconv.Itoa(p[3]),
			"-volume.port=" + strconv.Itoa(p[4]), "-volume.port.grpc=" + strconv.Itoa(p[5]),
			"-filer.port=" + strconv.Itoa(p[6]), "-filer.port.grpc=" + strconv.Itoa(p[7]),
			"-admin.port=" + strconv.Itoa(p[8]), "-admin.port.grpc=" + strconv.Itoa(p[9]),
			"-admin.port.legacy=0",
			"-master.volumeSizeLimitMB=64",
		}
		if lastErr = s.launch(); lastErr == nil {
			return s, nil
		}
		s.stop()
	}
	return nil, lastErr
}

// launch starts the process with s.args and waits until the S3 gateway
// creates and deletes a bucket.
func (s *Server) launch() error {
	logPath := filepath.Join(s.dir, "weed.log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Dir = s.dir
	// A clean environment: no WEED_* or AWS_* of the caller, HOME in the
	// temporary directory (SeaweedFS reads ~/.seaweedfs/*.toml).
	cmd.Env = []string{"HOME=" + s.dir, "PATH=" + os.Getenv("PATH"), "TMPDIR=" + s.dir}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done, s.log = cmd, done, log
	s.mu.Unlock()

	deadline := time.Now().Add(90 * time.Second)
	probe := "s3test-ready-" + hex.EncodeToString([]byte{byte(time.Now().UnixNano())})
	for {
		select {
		case <-done:
			return fmt.Errorf("weed mini exited while starting; its log, %s:\n%s", logPath, tail(logPath))
		default:
		}
		if err := s.createBucket(probe); err == nil {
			_ = s.request(http.MethodDelete, "/"+probe, nil, nil)
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("weed mini not ready after 90s (%v); its log, %s:\n%s", err, logPath, tail(logPath))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// tail returns the last lines of the file at path.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// stop kills the process group and waits for it.
func (s *Server) stop() {
	s.mu.Lock()
	cmd, done, log := s.cmd, s.done, s.log
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
	_ = log.Close()
}

// Kill kills the server (SIGKILL) as a crash would; its data stays for
// Restart.
func (s *Server) Kill() { s.stop() }

// Restart starts the server again on the same ports and data, and waits
// until it answers. On error it fails the test that started the server
// (Start), and returns the error.
func (s *Server) Restart() error {
	s.stop()
	var err error
	for i := 0; i < 3; i++ {
		if err = s.launch(); err == nil {
			return nil
		}
		s.stop()
		time.Sleep(time.Second)
	}
	err = fmt.Errorf("s3test: restart: %w", err)
	if s.owner != nil {
		s.owner.Fatal(err)
	}
	return err
}

// Env returns the AWS_* variables that point a linkvault process (or any
// AWS SDK) at the server with its key, as KEY=VALUE. It also turns off the
// EC2 metadata lookup and the shared config files, so that nothing but
// loopback is asked.
func (s *Server) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_REGION=" + s.Region,
		"AWS_ENDPOINT_URL_S3=" + s.Endpoint,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
	}
}

// SetEnv sets Env in the environment of the test process for the time of
// t (t.Setenv: not for parallel tests).
func (s *Server) SetEnv(t testing.TB) {
	t.Helper()
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
}

var bucketSerial struct {
	sync.Mutex
	n int
}

// Bucket creates a bucket named after name (made unique and valid) and
// returns its name.
func (s *Server) Bucket(t testing.TB, name string) string {
	t.Helper()
	b, err := s.NewBucket(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// NewBucket is Bucket for callers without a testing.TB.
func (s *Server) NewBucket(name string) (string, error) {
	bucketSerial.Lock()
	bucketSerial.n++
	n := bucketSerial.n
	bucketSerial.Unlock()
	b := bucketName(name, n)
	if err := s.createBucket(b); err != nil {
		return "", fmt.Errorf("s3test: create bucket %s: %w", b, err)
	}
	return b, nil
}

// bucketName makes a valid, unique bucket name of name.
func bucketName(name string, n int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	base := strings.Trim(b.String(), "-")
	if len(base) > 40 {
		base = strings.Trim(base[:40], "-")
	}
	if base == "" {
		base = "bucket"
	}
	return fmt.Sprintf("%s-%d-%d", base, os.Getpid()%100000, n)
}

func (s *Server) createBucket(name string) error {
	return s.request(http.MethodPut, "/"+name, nil, nil)
}

// Object returns the object bucket/key, read with this package's own
// client (or an error naming the status).
func (s *Server) Object(bucket, key string) ([]byte, error) {
	var buf bytes.Buffer
	err := s.request(http.MethodGet, "/"+bucket+"/"+key, nil, &buf)
	return buf.Bytes(), err
}

// PutObject writes body as bucket/key with this package's own client.
func (s *Server) PutObject(bucket, key string, body []byte) error {
	return s.request(http.MethodPut, "/"+bucket+"/"+key, body, nil)
}

// Keys returns the keys in bucket starting with prefix (at most 1000).
func (s *Server) Keys(bucket, prefix string) ([]string, error) {
	var buf bytes.Buffer
	q := "?list-type=2&prefix=" + uriEncode(prefix, true)
	if err := s.request(http.MethodGet, "/"+bucket+q, nil, &buf); err != nil {
		return nil, err
	}
	var keys []string
	for _, part := range strings.Split(buf.String(), "<Key>")[1:] {
		k, _, _ := strings.Cut(part, "</Key>")
		keys = append(keys, xmlUnescape(k))
	}
	return keys, nil
}

func xmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&#39;", "'").Replace(s)
}

// ErrStatus is returned by the package's requests when the server answers
// with an error status.
var ErrStatus = errors.New("s3test: error status")

// request sends a signed request for path (with an optional ?query) and
// copies the answer's body to out.
func (s *Server) request(method, path string, body []byte, out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, query, _ := strings.Cut(path, "?")
	req, err := http.NewRequestWithContext(ctx, method, s.Endpoint+p+queryPart(query), bytes.NewReader(body))
	if err != nil {
		return err
	}
	sign(req, body, s.AccessKey, s.SecretKey, s.Region, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		return fmt.Errorf("%w: %s %s: %s: %s", ErrStatus, method, path, resp.Status, msg)
	}
	if out != nil {
		_, err = io.Copy(out, resp.Body)
	}
	return err
}

func queryPart(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}
