package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/linkvault/linkvault/internal/s3test"
)

// TestBucketScripts runs the scripts of testdata/bucket: the scripts'
// fake web, plus a real S3 server on loopback (SeaweedFS, internal/s3test)
// with a new bucket per script. $DB_URL is a database in that bucket,
// $BUCKET and $S3_ENDPOINT name it; the AWS_ variables hold its keys.
func TestBucketScripts(t *testing.T) {
	srv := s3test.Start(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/bucket",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			if err := setupScript(env); err != nil {
				return err
			}
			bucket, err := srv.NewBucket(filepath.Base(env.WorkDir))
			if err != nil {
				return err
			}
			for _, kv := range srv.Env() {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Values["s3"] = srv
			env.Setenv("BUCKET", bucket)
			env.Setenv("S3_ENDPOINT", srv.Endpoint)
			env.Setenv("DB_URL", "s3://"+bucket+"/team/linkvault.db?endpoint="+srv.Endpoint)
			return nil
		},
		Cmds: func() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
			cmds := scriptCmds()
			cmds["within"] = cmdWithin
			cmds["s3truncate"] = cmdS3Truncate
			return cmds
		}(),
	})
}

// within DURATION exits N PROG ARGS...: exits, which must also end
// within DURATION.
func cmdWithin(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 4 || args[1] != "exits" {
		ts.Fatalf("usage: within DURATION exits N PROG ARGS...")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	start := time.Now()
	cmdExits(ts, neg, args[2:])
	if took := time.Since(start); took > d {
		ts.Fatalf("%s took %v, want at most %v", args[3], took.Round(time.Millisecond), d)
	}
}

// s3truncate KEY: cuts the object KEY of the script's bucket to half its
// length, as damage in the bucket would (written by s3test's own client,
// without the object's metadata).
func cmdS3Truncate(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: s3truncate KEY")
	}
	srv := ts.Value("s3").(*s3test.Server)
	b, err := srv.Object(ts.Getenv("BUCKET"), args[0])
	ts.Check(err)
	ts.Check(srv.PutObject(ts.Getenv("BUCKET"), args[0], b[:len(b)/2]))
}
