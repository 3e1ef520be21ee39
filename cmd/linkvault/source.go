package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/crawler"
	"github.com/linkvault/linkvault/report"
)

// sourceLinks keeps the results of a run that are repository links
// checked ok, whose source may be archived (see captureSources).
type sourceLinks struct {
	results []linkvault.Result
	seen    map[string]bool
}

// add keeps res when it is an ok repository link.
func (s *sourceLinks) add(res linkvault.Result) {
	if res.Status != linkvault.StatusOK || s.seen[res.URL] {
		return
	}
	if _, ok := crawler.SourceOf(res.URL); !ok {
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[res.URL] = true
	s.results = append(s.results, res)
}

// captureSources archives the source of the repository links of the run
// (checked ok): the tarball of the commit each names, once per commit
// (a commit archived or skipped for one link, or by an earlier run, is
// only noted for the others), at most archive.repo_max_size bytes. The
// commit comes from the check's GitHub data, else from the forge's API (see
// crawler.Checker.SourceCommit); the requests go through the checker's
// polite client. Failures are warnings, summed up in one line.
func captureSources(ctx context.Context, g *globalOptions, cfg *Config, db *archive.DB, a *archive.Archiver, checker *crawler.Checker, results []linkvault.Result) {
	if a == nil || cfg.Archive.RepoMaxSize <= 0 || len(results) == 0 {
		return
	}
	client := checker.Client()
	maxSize := int64(cfg.Archive.RepoMaxSize)
	var failed int
	var firstErr error
	commits := map[string]string{} // "REPO@REF" → commit, asked once per run
	for i, res := range results {
		if ctx.Err() != nil {
			return
		}
		sc, fresh, err := captureSource(ctx, db, a, checker, client, res, maxSize, commits)
		if errors.Is(err, crawler.ErrGitHubRateLimited) {
			if !g.Quiet {
				fmt.Fprintf(g.stderr, "linkvault: warning: repository sources: GitHub's API rate limit is reached (GITHUB_TOKEN raises it); %d links left for the next run\n", len(results)-i)
			}
			break
		}
		if err != nil {
			failed++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if fresh && sc.Skipped != "" && !g.Quiet {
			fmt.Fprintf(g.stderr, "linkvault: note: source of %s at commit %s not archived: %s (archive.repo_max_size)\n",
				sc.Repo, sc.ShortCommit(), sourceSkipReason(sc))
		}
	}
	if failed > 0 && !g.Quiet && ctx.Err() == nil {
		fmt.Fprintf(g.stderr, "linkvault: warning: repository sources: %d not archived (%v)\n", failed, firstErr)
	}
}

// sourceSkipReason says why sc was not stored.
func sourceSkipReason(sc linkvault.SourceCopy) string {
	return "larger than " + report.Bytes(sc.MaxSize)
}

// captureSource archives the source of one repository link, unless its
// commit was archived before (or skipped under a cap as large). fresh
// reports that the tarball was fetched now.
func captureSource(ctx context.Context, db *archive.DB, a *archive.Archiver, checker *crawler.Checker, client *http.Client, res linkvault.Result, maxSize int64, commits map[string]string) (sc linkvault.SourceCopy, fresh bool, err error) {
	s, _ := crawler.SourceOf(res.URL)
	if gh := res.GitHub; gh != nil && gh.RenamedTo != "" {
		if moved, ok := crawler.SourceOf("https://github.com/" + gh.RenamedTo); ok {
			moved.Ref = s.Ref
			s = moved
		}
	}
	key := s.Repo + "@" + s.Ref
	commit := commits[key]
	if commit == "" {
		if commit, err = checker.SourceCommit(ctx, client, s, res.GitHub); err != nil {
			return sc, false, err
		}
		commits[key] = commit
	}
	prev, ok, err := db.SourceOf(s.Repo, commit)
	if err != nil {
		return prev, false, err
	}
	if ok && (prev.Skipped == "" || prev.MaxSize >= maxSize) {
		return prev, false, db.NoteSource(res.URL, prev)
	}
	dl, err := checker.OpenSource(ctx, client, s, commit)
	if err != nil {
		return sc, false, err
	}
	defer dl.Body.Close()
	sc = linkvault.SourceCopy{Repo: s.Repo, Ref: s.Ref, Commit: commit}
	sc.URL, sc.ContentType = dl.URL, dl.ContentType
	sc, err = a.CaptureSource(ctx, res.URL, sc, dl.Body, dl.Length, maxSize)
	return sc, err == nil, err
}

// swhGiveUp is the number of Software Heritage lookups failing in a row
// after which it is taken to be unreachable for the rest of the run.
const swhGiveUp = 3

// lookupSoftwareHeritage asks Software Heritage about the dead repository
// links that have no source archived locally, on public hosts only (the
// rule of the Wayback lookups, waybackAllowed). A rate limit ends the
// lookups of the run; failures are warnings, summed up in one line.
func lookupSoftwareHeritage(ctx context.Context, g *globalOptions, db *archive.DB, cfg *Config, checker *crawler.Checker) {
	type deadRepo struct{ link, origin string }
	var dead []deadRepo
	err := db.URLs(func(r *linkvault.URLRecord) error {
		if r.State != linkvault.StateDead {
			return nil
		}
		s, ok := crawler.SourceOf(r.URL)
		if !ok {
			return nil
		}
		if _, stored, err := db.LatestStoredSource(r.URL); err != nil || stored {
			return err
		}
		dead = append(dead, deadRepo{r.URL, s.Repo})
		return nil
	})
	if err != nil {
		fmt.Fprintf(g.stderr, "linkvault: warning: Software Heritage: %v\n", err)
		return
	}
	opts := archive.SWHOptions{Endpoint: cfg.SWH.Endpoint, Client: checker.Client(), MaxAge: time.Duration(cfg.SWH.MaxAge)}
	var failed, inRow int
	var firstErr error
	for i, d := range dead {
		if ctx.Err() != nil {
			return
		}
		if !waybackAllowed(ctx, cfg, checker, d.link) {
			continue
		}
		if inRow >= swhGiveUp {
			if !g.Quiet {
				fmt.Fprintf(g.stderr, "linkvault: warning: Software Heritage: %d lookups failed (%v); gave up after %d in a row\n", failed, firstErr, swhGiveUp)
			}
			return
		}
		_, err := db.SoftwareHeritageLookup(ctx, d.link, d.origin, opts)
		switch {
		case err == nil:
			inRow = 0
			continue
		case ctx.Err() != nil:
			return
		case errors.Is(err, archive.ErrRateLimited):
			if !g.Quiet {
				fmt.Fprintf(g.stderr, "linkvault: warning: %v; %d lookups left for the next run\n", errors.Unwrap(err), len(dead)-i)
			}
			return
		}
		failed++
		inRow++
		if firstErr == nil {
			firstErr = err
		}
	}
	if failed > 0 && !g.Quiet {
		fmt.Fprintf(g.stderr, "linkvault: warning: Software Heritage: %d lookups failed (%v)\n", failed, firstErr)
	}
}
