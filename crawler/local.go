package crawler

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/crawler/extract"
)

// CheckLocal checks a local link (Kind local, URL a slash path) for
// existence on disk: StatusOK when the file or directory exists,
// StatusBroken "file not found" when it does not, StatusBroken with the
// cause when it cannot be examined. A link of another kind is
// StatusSkipped. The #fragments of its sources are judged when the file
// is Markdown or HTML (see localFragments): those naming no heading or
// anchor are Result.MissingFragments.
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
	fi, err := os.Stat(filepath.FromSlash(link.URL))
	switch {
	case err == nil:
		r.Status = linkvault.StatusOK
		if !fi.IsDir() {
			r.MissingFragments = localFragments(link, fi.Size())
		}
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

// maxLocalAnchors is the size of the largest local file whose anchors are
// read: a larger one gets no verdict on its fragments.
const maxLocalAnchors = DefaultMaxBody

// localFragments returns the fragments of link's sources that name no
// anchor of the file (extract.Anchors: GitHub's heading slugs for
// Markdown, ids and <a name> for HTML), judged as on a web page
// (fragmentTarget). nil without a verdict: no fragment, a file of another
// type, too large or unreadable.
func localFragments(link linkvault.Link, size int64) []string {
	var frags []string
	for _, s := range link.Sources {
		if s.Fragment != "" {
			frags = append(frags, s.Fragment)
		}
	}
	if len(frags) == 0 || size > maxLocalAnchors {
		return nil
	}
	if _, ok := extract.Anchors(link.URL, nil); !ok {
		return nil
	}
	data, err := os.ReadFile(filepath.FromSlash(link.URL))
	if err != nil {
		return nil
	}
	names, _ := extract.Anchors(link.URL, data)
	set := make(anchorSet, len(names))
	for _, n := range names {
		set[n] = struct{}{}
	}
	return missingFragments(set, frags)
}
