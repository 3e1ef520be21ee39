package crawler

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/linkvault/linkvault"
)

// CheckLocal checks a local link (Kind local, URL a slash path) for
// existence on disk: StatusOK when the file or directory exists,
// StatusBroken "file not found" when it does not, StatusBroken with the
// cause when it cannot be examined. A link of another kind is
// StatusSkipped. Fragments are not checked.
func CheckLocal(link linkvault.Link) linkvault.Result {
	start := time.Now()
	r := linkvault.Result{URL: link.URL, CheckedAt: start}
	defer func() {
		r.Duration = time.Since(start)
		r.DurationMS = r.Duration.Milliseconds()
	}()
	if link.Kind != linkvault.KindLocal {
		r.Status, r.Reason = linkvault.StatusSkipped, "not a local link"
		return r
	}
	_, err := os.Stat(filepath.FromSlash(link.URL))
	switch {
	case err == nil:
		r.Status = linkvault.StatusOK
	case errors.Is(err, fs.ErrNotExist):
		r.Status, r.Reason = linkvault.StatusBroken, "file not found"
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		r.Status, r.Reason, r.Error = linkvault.StatusBroken, err.Error(), err.Error()
	}
	return r
}
