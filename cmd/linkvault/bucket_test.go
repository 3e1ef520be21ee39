package main

import (
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/linkvault/linkvault/internal/s3test"
)

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
