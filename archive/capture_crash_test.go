package archive

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Environment of the capture-loop helper subprocess (see init).
const (
	captureHelperEnv = "LINKVAULT_CAPTURE_HELPER" // archive directory
	captureDBEnv     = "LINKVAULT_CAPTURE_DB"
	captureSeedEnv   = "LINKVAULT_CAPTURE_SEED"
)

// init turns the test binary into the capture-loop helper when
// captureHelperEnv is set: it captures until killed.
func init() {
	if dir := os.Getenv(captureHelperEnv); dir != "" {
		os.Exit(captureLoop(dir, os.Getenv(captureDBEnv), os.Getenv(captureSeedEnv)))
	}
}

func captureLoop(dir, dbPath, seedText string) int {
	seed, _ := strconv.ParseUint(seedText, 10, 64)
	db, err := Open(dbPath, &Options{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	a, err := NewArchiver(db, ArchiverOptions{Dir: dir, MaxFileSize: 1 << 20})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	r := rand.New(rand.NewPCG(seed, 1))
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seed) * time.Hour)
	for i := 0; ; i++ {
		doc, version := r.IntN(20), r.IntN(2) // often unchanged: revisits
		u := "https://example.com/doc/" + strconv.Itoa(doc)
		bodySeed := uint64(doc*10 + version)
		size := 1 + int(bodySeed*7919%(400<<10))
		body := randomBytes(bodySeed, size)
		at = at.Add(time.Second)
		if _, err := a.Capture(context.Background(), newExchange(u, at, "application/octet-stream", body)); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 2
		}
		if i == 0 {
			// Ready once one capture is in: every run adds at least one
			// entry however slow the machine, and is killed mid-capture
			// of a later one.
			fmt.Println("ready")
		}
	}
}

func TestCaptureCrashSafety(t *testing.T) {
	tmp := t.TempDir()
	dir, dbPath := filepath.Join(tmp, "archive"), filepath.Join(tmp, "linkvault.db")
	const kills = 12
	r := rand.New(rand.NewPCG(42, 42))
	torn := 0
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), captureHelperEnv+"="+dir, captureDBEnv+"="+dbPath,
			captureSeedEnv+"="+strconv.Itoa(i+1))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || line != "ready\n" {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("helper %d did not start: %q, %v", i, line, err)
		}
		time.Sleep(time.Duration(20+r.IntN(150)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err == nil {
			t.Fatalf("helper %d exited by itself", i)
		}
		opens, _ := filepath.Glob(filepath.Join(dir, "*"+openSuffix))
		for _, f := range opens {
			n, err := validLength(f)
			if fi, _ := os.Stat(f); err == nil && fi.Size() > n {
				torn++
			}
		}
	}
	t.Logf("%d of %d kills left a torn record at the end of the open file", torn, kills)

	db, err := Open(dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var entries, revisits int
	err = db.forEachEntry(func(key string, e indexEntry) error {
		entries++
		if e.Revisit {
			revisits++
		}
		rc, _, err := OpenPayload(dir, e.Capture)
		if err != nil {
			t.Errorf("entry %s@%s: %v", key, e.Time, err)
			return nil
		}
		defer rc.Close()
		h := sha256.New()
		n, err := io.Copy(h, rc)
		if err != nil || n != e.Size || "sha256:"+hex.EncodeToString(h.Sum(nil)) != e.Digest {
			t.Errorf("entry %s@%s: payload %d bytes (%v), digest mismatch or short; want %d bytes %s",
				key, e.Time, n, err, e.Size, e.Digest)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d kills: %d index entries (%d revisits) all resolve", kills, entries, revisits)
	if entries < kills {
		t.Errorf("only %d entries after %d helper runs", entries, kills)
	}

	// A new Archiver repairs the files the killed ones left open; then every
	// file reads cleanly record by record and every entry is at a record.
	a, err := NewArchiver(db, ArchiverOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	pos := map[string]string{}
	for _, f := range warcFiles(t, dir) {
		if filepath.Ext(f) == openSuffix {
			t.Errorf("%s left open after recovery", filepath.Base(f))
		}
		for _, rec := range readAllRecords(t, f) {
			for _, v := range rec.Validation {
				t.Errorf("%s@%d: %v", filepath.Base(f), rec.Offset, v)
			}
			pos[fmt.Sprintf("%s@%d+%d", filepath.Base(f), rec.Offset, rec.Size)] = rec.ID
		}
	}
	err = db.forEachEntry(func(key string, e indexEntry) error {
		if id := pos[fmt.Sprintf("%s@%d+%d", e.File, e.Offset, e.Length)]; id != e.RecordID {
			t.Errorf("entry %s@%s: record at %s@%d+%d is %q, want %q", key, e.Time, e.File, e.Offset, e.Length, id, e.RecordID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
