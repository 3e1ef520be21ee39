package linkvault

import "time"

// SourceCopy is the source code of a repository link archived by
// linkvault: a tarball of one commit, stored as a WARC resource record
// (Capture says where; Capture.URL is the tarball's URL). A SourceCopy
// with Skipped set was not stored, and says why.
type SourceCopy struct {
	Capture
	Repo   string `json:"repo"`          // the repository, https://github.com/OWNER/REPO
	Ref    string `json:"ref,omitempty"` // the branch, tag or commit the link names; "" the default branch
	Commit string `json:"commit"`        // the commit archived
	// Skipped says why the tarball was not stored ("over
	// archive.repo_max_size"); MaxSize is the cap it was measured against.
	Skipped string `json:"skipped,omitempty"`
	MaxSize int64  `json:"max_size,omitempty"`
}

// ShortCommit is the commit abbreviated to 7 characters, as git shows it.
func (s *SourceCopy) ShortCommit() string {
	if len(s.Commit) > 7 {
		return s.Commit[:7]
	}
	return s.Commit
}

// SoftwareHeritage is the cached answer of Software Heritage's archive
// for a repository: its origin and latest visit when it archived it.
type SoftwareHeritage struct {
	Origin    string    `json:"origin,omitempty"`     // the origin URL, empty when Software Heritage has none
	BrowseURL string    `json:"browse_url,omitempty"` // where a reader browses the archived source
	LastVisit time.Time `json:"last_visit,omitzero"`  // date of the latest visit with a snapshot
	CheckedAt time.Time `json:"checked_at"`
}
