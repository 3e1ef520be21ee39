//go:build unix

package extract

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linkvault/linkvault/internal/sharedtest"

	"github.com/linkvault/linkvault"
)

// extractOrHang runs Extract and fails the test if it has not returned
// after a long time: the bugs tested here made it block forever.
func extractOrHang(t *testing.T, ctx context.Context, paths []string, opts Options) ([]linkvault.Link, error) {
	t.Helper()
	type result struct {
		links []linkvault.Link
		err   error
	}
	done := make(chan result, 1)
	go func() {
		links, err := Files(ctx, paths, opts)
		done <- result{links, err}
	}()
	select {
	case r := <-done:
		return r.links, r.err
	case <-time.After(20 * time.Second):
		t.Fatal("Extract blocked")
		return nil, nil
	}
}

func mkfifo(t *testing.T, name string) {
	t.Helper()
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

// A named pipe, given directly, inside a folder or behind a symbolic link,
// is skipped with one warning each; nothing blocks and the regular notes
// are read.
func TestExtractSkipsNamedPipes(t *testing.T) {
	dir := sharedtest.WriteFiles(t, map[string]string{"notes/a.txt": "https://a.example/a\n"})
	notes := filepath.Join(dir, "notes")
	mkfifo(t, filepath.Join(notes, "pipe.md"))
	mkfifo(t, filepath.Join(dir, "outside.fifo"))
	symlink(t, filepath.Join(dir, "outside.fifo"), filepath.Join(notes, "link.md"))
	ln, err := net.Listen("unix", filepath.Join(notes, "sock.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	var warns []string
	links, err := extractOrHang(t, context.Background(), []string{filepath.Join(dir, "outside.fifo"), notes}, Options{
		Warn: func(path, msg string) {
			warns = append(warns, strings.TrimPrefix(path, filepath.ToSlash(dir)+"/")+": "+msg)
		},
	})
	if err != nil {
		t.Fatalf("err = %v, want nil (a pipe is skipped, not an error)", err)
	}
	if got, want := flat(links), []string{"web https://a.example/a 1:1"}; !slices.Equal(got, want) {
		t.Errorf("links = %q, want %q", got, want)
	}
	want := []string{
		"outside.fifo: skipped: a named pipe, not a regular file",
		"notes/link.md: skipped: a named pipe, not a regular file",
		"notes/pipe.md: skipped: a named pipe, not a regular file",
		"notes/sock.txt: skipped: a socket, not a regular file",
	}
	if !slices.Equal(warns, want) {
		t.Errorf("warnings\n got: %q\nwant: %q", warns, want)
	}
}

// A file that became a named pipe after the walk listed it is not opened
// for a blocking read.
func TestReadNoteNamedPipe(t *testing.T) {
	name := filepath.Join(t.TempDir(), "x.md")
	mkfifo(t, name)
	var warns []string
	done := make(chan error, 1)
	go func() {
		c := newCollector()
		err := c.readFile(name, &Options{Warn: func(_, msg string) { warns = append(warns, msg) }})
		if err == nil && len(c.links()) != 0 {
			err = errors.New("links from a pipe")
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("readFile blocked on a named pipe")
	}
	if want := []string{"skipped: a named pipe, not a regular file"}; !slices.Equal(warns, want) {
		t.Errorf("warnings = %q, want %q", warns, want)
	}
}

// A symbolic link to a folder is searched; a loop of links ends, each
// real directory being read once.
func TestExtractSymlinkedFolders(t *testing.T) {
	dir := sharedtest.WriteFiles(t, map[string]string{
		"notes/a.txt":         "https://a.example/a\n",
		"shared/s.txt":        "https://a.example/shared\n",
		"shared/deep/d.txt":   "https://a.example/deep\n",
		"notes/sub/loop/x.md": "",
	})
	notes := filepath.Join(dir, "notes")
	symlink(t, filepath.Join(dir, "shared"), filepath.Join(notes, "linked"))
	// Loops: a link to the notes themselves, one to the parent, and one
	// in the shared folder back to the notes.
	symlink(t, "..", filepath.Join(notes, "sub", "up"))
	symlink(t, notes, filepath.Join(dir, "shared", "deep", "back"))
	os.Remove(filepath.Join(notes, "sub", "loop", "x.md"))
	symlink(t, ".", filepath.Join(notes, "sub", "loop", "self"))

	links, err := extractOrHang(t, context.Background(), []string{notes}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range links {
		for _, s := range l.Sources {
			got = append(got, strings.TrimPrefix(s.File, filepath.ToSlash(dir)+"/")+" "+l.URL)
		}
	}
	want := []string{
		"notes/a.txt https://a.example/a",
		"notes/linked/deep/d.txt https://a.example/deep",
		"notes/linked/s.txt https://a.example/shared",
	}
	if !slices.Equal(got, want) {
		t.Errorf("links\n got: %q\nwant: %q", got, want)
	}
}

// A cancelled context stops the walk and the reading.
func TestExtractCancelled(t *testing.T) {
	files := map[string]string{}
	for _, n := range []string{"a", "b", "c"} {
		files["notes/"+n+"/x.txt"] = "https://a.example/" + n
	}
	dir := sharedtest.WriteFiles(t, files)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	links, err := extractOrHang(t, ctx, []string{filepath.Join(dir, "notes")}, Options{})
	if !errors.Is(err, context.Canceled) || links != nil {
		t.Fatalf("Extract with a cancelled context = %d links, %v; want none and context.Canceled", len(links), err)
	}

	// Cancelled while warning about the first file: nothing after it is read.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	mkfifo(t, filepath.Join(dir, "notes", "a", "p"))
	links, err = extractOrHang(t, ctx, []string{filepath.Join(dir, "notes")}, Options{Warn: func(string, string) { cancel() }})
	if !errors.Is(err, context.Canceled) || links != nil {
		t.Fatalf("Extract cancelled mid-walk = %d links, %v; want none and context.Canceled", len(links), err)
	}
}

// TestExtractExcludePaths: Options.ExcludePaths skips files and whole
// folders, given or walked.
func TestExtractExcludePaths(t *testing.T) {
	dir := sharedtest.WriteFiles(t, map[string]string{
		"notes/a.md":          "https://a.example/a",
		"notes/a.tmp":         "https://a.example/tmp",
		"notes/drafts/d.md":   "https://a.example/draft",
		"notes/mydrafts/e.md": "https://a.example/mydraft",
		"other/o.md":          "https://a.example/other",
	})
	opts := Options{ExcludePaths: []*regexp.Regexp{
		regexp.MustCompile(`\.tmp$`),
		regexp.MustCompile(`(^|/)drafts/`),
		regexp.MustCompile(`^` + regexp.QuoteMeta(filepath.ToSlash(dir)) + `/other/`),
	}}
	links, err := extractOrHang(t, context.Background(), []string{filepath.Join(dir, "notes"), filepath.Join(dir, "other"), filepath.Join(dir, "notes", "drafts", "d.md")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range links {
		got = append(got, l.URL)
	}
	if want := []string{"https://a.example/a", "https://a.example/mydraft"}; !slices.Equal(got, want) {
		t.Errorf("links = %q, want %q", got, want)
	}
}
