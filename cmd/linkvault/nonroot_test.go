//go:build linux

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestNonRootUser runs linkvault as the Docker image does (uid 65532,
// distroless' nonroot, no home) in a bind-mounted working folder that
// belongs to the host user (uid 1000): it cannot write there, and says
// how to run it (docker run --user "$(id -u):$(id -g)"); run as the
// folder's owner, as that flag makes it, it works. No Docker daemon is
// needed: only root can start a process as another uid.
func TestNonRootUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: cannot start linkvault as another uid")
	}
	bin := linkvaultForAnyUser(t)
	work := publicTempDir(t)
	writeFiles(t, work, map[string]string{
		"config.yaml":    "notes: [notes]\n",
		"notes/a.md":     "See [the other note](b.md).\n",
		"notes/b.md":     "Here.\n",
		"notes/sub/c.md": "[up](../a.md)\n",
	})
	const hostUID, imageUID = 1000, 65532
	chownAll(t, work, hostUID)

	run := func(uid int, args ...string) (int, string) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = work
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent", "NO_COLOR=1"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Stdout = io.Discard
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run as uid %d: %v", uid, err)
		}
		return code, stderr.String()
	}

	code, stderr := run(imageUID, "check")
	if code != exitCannotRun {
		t.Errorf("as uid %d in a folder of uid %d: exit %d, want %d; stderr:\n%s", imageUID, hostUID, code, exitCannotRun, stderr)
	}
	want := `permission denied (linkvault runs as uid 65532, ` + work + ` belongs to uid 1000; in Docker, add --user "$(id -u):$(id -g)" to docker run)`
	if !strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr = %q, want one line containing %q", stderr, want)
	}

	code, stderr = run(hostUID, "check")
	if code != exitOK {
		t.Fatalf("as the folder's owner (--user): exit %d, want 0; stderr:\n%s", code, stderr)
	}
	fi, err := os.Stat(filepath.Join(work, "linkvault.db"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != hostUID {
		t.Errorf("linkvault.db belongs to uid %d, want %d", st.Uid, hostUID)
	}
}

// linkvaultForAnyUser returns the linkvault binary of TestMain in a
// folder every user may enter.
func linkvaultForAnyUser(t *testing.T) string {
	t.Helper()
	src, err := exec.LookPath("linkvault")
	if err != nil {
		t.Fatalf("linkvault not on PATH: %v", err)
	}
	dst := filepath.Join(publicTempDir(t), "linkvault")
	if err := os.Link(src, dst); err != nil {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

// publicTempDir is a temporary folder that every user can enter (the
// folders of t.TempDir are root's alone).
func publicTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "linkvault-uid-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func chownAll(t *testing.T, root string, uid int) {
	t.Helper()
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, uid)
	})
	if err != nil {
		t.Fatal(err)
	}
}
