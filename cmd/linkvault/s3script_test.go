package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/linkvault/linkvault/internal/s3test"
)

// TestS3Scripts runs the scripts of testdata/s3 as TestScripts runs its
// own, with a real S3 server (SeaweedFS, see internal/s3test): each script
// gets a bucket of its own, $S3_BUCKET (also $BUCKET), the server's
// $S3_ENDPOINT, $DB_URL (a database in that bucket) and the AWS_*
// environment that points linkvault at the server. Without a weed binary the test is
// skipped (failed under CI=true).
func TestS3Scripts(t *testing.T) {
	srv := s3test.Shared(t)
	p := scriptParams()
	p.Dir = "testdata/s3"
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := setup(env); err != nil {
			return err
		}
		setS3Env(env.Setenv, srv)
		b, err := srv.NewBucket(filepath.Base(env.WorkDir))
		if err != nil {
			return err
		}
		env.Setenv("S3_BUCKET", b)
		env.Setenv("BUCKET", b)
		env.Setenv("S3_ENDPOINT", srv.Endpoint)
		env.Setenv("DB_URL", "s3://"+b+"/team/linkvault.db?endpoint="+srv.Endpoint)
		env.Values["s3"] = srv
		env.Values["s3private"] = &private{} // filled by s3private
		return nil
	}
	p.Cmds["s3keys"] = cmdS3Keys
	p.Cmds["s3private"] = cmdS3Private
	p.Cmds["s3restart"] = cmdS3Restart
	p.Cmds["within"] = cmdWithin
	p.Cmds["s3truncate"] = cmdS3Truncate
	testscript.Run(t, p)
}

func setS3Env(setenv func(k, v string), srv *s3test.Server) {
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		setenv(k, v)
	}
}

func s3Of(ts *testscript.TestScript) *s3test.Server {
	return ts.Value("s3").(*s3test.Server)
}

// s3keys PREFIX N: the bucket $S3_BUCKET holds N objects under PREFIX.
func cmdS3Keys(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: s3keys PREFIX N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	srv := s3Of(ts)
	if p, ok := privateOf(ts); ok {
		srv = p.srv
	}
	keys, err := srv.Keys(ts.Getenv("S3_BUCKET"), args[0])
	ts.Check(err)
	if (len(keys) == want) == neg {
		ts.Fatalf("objects under %s: %d %q, want %d", args[0], len(keys), keys, want)
	}
}

// private is a script's own server, behind a proxy that can kill it.
type private struct {
	srv   *s3test.Server
	proxy *s3test.Proxy
}

func privateOf(ts *testscript.TestScript) (*private, bool) {
	p := ts.Value("s3private").(*private)
	return p, p.srv != nil
}

// s3private [KILLAFTER]: from now on the script uses a server of its own
// (so that killing it harms no other script), reached through a proxy
// that kills it once KILLAFTER bytes went to it (a crash in the middle of
// an upload). $S3_BUCKET is a bucket on it.
func cmdS3Private(ts *testscript.TestScript, neg bool, args []string) {
	limit := int64(-1)
	if len(args) == 1 {
		n, err := strconv.ParseInt(args[0], 10, 64)
		ts.Check(err)
		limit = n
	}
	dir := ts.MkAbs("s3private")
	ts.Check(os.MkdirAll(dir, 0o755))
	srv, err := s3test.New(dir)
	ts.Check(err)
	ts.Defer(srv.Close)
	b, err := srv.NewBucket("private")
	ts.Check(err)
	proxy, err := srv.KillingProxy(limit)
	ts.Check(err)
	ts.Defer(proxy.Close)
	setS3Env(ts.Setenv, srv)
	ts.Setenv("AWS_ENDPOINT_URL_S3", proxy.Endpoint)
	ts.Setenv("S3_BUCKET", b)
	ts.Setenv("S3_ENDPOINT", proxy.Endpoint)
	p := ts.Value("s3private").(*private)
	p.srv, p.proxy = srv, proxy
}

// s3restart: the script's own server, killed, starts again (and is not
// killed again).
func cmdS3Restart(ts *testscript.TestScript, neg bool, args []string) {
	p, ok := privateOf(ts)
	if !ok {
		ts.Fatalf("s3restart: no s3private server")
	}
	select {
	case <-p.proxy.Killed():
	default:
		ts.Fatalf("s3restart: the server was not killed (%d bytes went to it)", p.proxy.Sent())
	}
	p.proxy.SetLimit(-1)
	ts.Check(p.srv.Restart())
}
