package archive

import (
	"context"
	"io"
	"runtime"
	"testing"
)

// patternReader yields n bytes of a cheap pseudo-random stream without
// holding them: the body of a large download.
type patternReader struct {
	n, off int64
	x      uint64
}

func newPatternReader(n int64) *patternReader { return &patternReader{n: n, x: 88172645463325252} }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	if rem := r.n - r.off; int64(len(p)) > rem {
		p = p[:rem]
	}
	for i := range p {
		r.x ^= r.x << 13
		r.x ^= r.x >> 7
		r.x ^= r.x << 17
		p[i] = byte(r.x)
	}
	r.off += int64(len(p))
	return len(p), nil
}

func TestCaptureLargeBodyBoundedMemory(t *testing.T) {
	const size = 60 << 20
	env := newCaptureEnv(t, ArchiverOptions{})
	// Warm up: the first capture allocates the writer's gzip state.
	mustCapture(t, env.a, newExchange("https://example.com/warm", day1, "text/plain", []byte("warm")))

	ex := newExchange("https://example.com/big.bin", day1, "application/octet-stream", nil)
	ex.Body = newPatternReader(size)
	ex.Size = size
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c, err := env.a.Capture(context.Background(), ex)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("capturing %d MiB allocated %.1f MiB in total", size>>20, float64(alloc)/(1<<20))
	if alloc > 20<<20 {
		t.Errorf("capturing a %d MiB body allocated %d MiB, want < 20 MiB (streamed, not buffered)", size>>20, alloc>>20)
	}
	if c.Size != size {
		t.Errorf("Capture.Size = %d, want %d", c.Size, size)
	}

	// Reading it back streams too, and gives the same bytes.
	rc, _, err := OpenPayload(env.dir, c)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	runtime.ReadMemStats(&before)
	n, err := io.Copy(&compareWriter{want: newPatternReader(size)}, rc)
	runtime.ReadMemStats(&after)
	if err != nil || n != size {
		t.Fatalf("read back %d bytes, %v; want %d identical bytes", n, err, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 20<<20 {
		t.Errorf("reading a %d MiB payload allocated %d MiB, want < 20 MiB", size>>20, alloc>>20)
	}
}

// compareWriter checks that what is written equals what want yields.
type compareWriter struct {
	want io.Reader
	buf  []byte
	off  int64
}

func (w *compareWriter) Write(p []byte) (int, error) {
	if cap(w.buf) < len(p) {
		w.buf = make([]byte, len(p))
	}
	b := w.buf[:len(p)]
	if _, err := io.ReadFull(w.want, b); err != nil {
		return 0, err
	}
	for i := range p {
		if p[i] != b[i] {
			return i, &mismatchError{off: w.off + int64(i)}
		}
	}
	w.off += int64(len(p))
	return len(p), nil
}

type mismatchError struct{ off int64 }

func (e *mismatchError) Error() string { return "payload differs at byte " + itoa(int(e.off)) }
