package main

import (
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
			bucket := srv.Bucket(t, "")
			for _, kv := range srv.Env() {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Setenv("BUCKET", bucket)
			env.Setenv("S3_ENDPOINT", srv.Endpoint)
			env.Setenv("DB_URL", "s3://"+bucket+"/team/linkvault.db?endpoint="+srv.Endpoint)
			return nil
		},
		Cmds: func() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
			cmds := scriptCmds()
			cmds["within"] = cmdWithin
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
