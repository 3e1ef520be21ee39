package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/linkvault/linkvault"
)

// SARIF rule identifiers, stable across versions: code scanning keys its
// alerts by them.
const (
	RuleDeadLink    = "dead-link"
	RuleFailingLink = "failing-link"
	RuleMovedLink   = "moved-link"
	RuleBlockedLink = "blocked-link"
	// RuleFragmentMissing: the page answers, but the #fragment of this
	// occurrence names no anchor of it.
	RuleFragmentMissing = "fragment-missing"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	// OriginalURIBaseIDs says where %SRCROOT% was: the repository root
	// the report was made in (Data.Root).
	OriginalURIBaseIDs map[string]sarifAL `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string             `json:"columnKind"`
	Properties         map[string]any     `json:"properties,omitempty"`
	Results            []sarifResult      `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	ShortDescription sarifMessage      `json:"shortDescription"`
	FullDescription  sarifMessage      `json:"fullDescription"`
	Help             sarifMessage      `json:"help"`
	DefaultConfig    sarifRuleConfig   `json:"defaultConfiguration"`
	Properties       map[string]string `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool   `json:"executionSuccessful"`
	StartTimeUTC        string `json:"startTimeUtc,omitempty"`
	EndTimeUTC          string `json:"endTimeUtc,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

type sarifLocation struct {
	Physical sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	Artifact sarifAL      `json:"artifactLocation"`
	Region   *sarifRegion `json:"region,omitempty"`
}

type sarifAL struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

var sarifRules = []struct {
	id, name, level, short, full string
}{
	{RuleDeadLink, "DeadLink", "error", "Dead link",
		"The link failed in consecutive checks over a long enough time to be considered dead. Replace it with the archived copy, the Wayback Machine copy, or a new address."},
	{RuleFailingLink, "FailingLink", "warning", "Failing link",
		"The last check of the link failed, but not yet often or long enough to call it dead. It may be a passing outage."},
	{RuleMovedLink, "MovedLink", "warning", "Moved link",
		"The link answers with a permanent redirect. Update it to the new address."},
	{RuleBlockedLink, "BlockedLink", "note", "Blocked link",
		"The server refused to let linkvault verify the link (401, 403, bot challenge or rate limit). Check it by hand."},
	{RuleFragmentMissing, "FragmentMissing", "warning", "Fragment missing",
		"The page answers, but the section the link points to is gone: its #fragment names no anchor (id, <a name>, heading) of the page. Point the link at the section's new anchor."},
}

// writeSARIF writes a SARIF 2.1.0 log for code scanning: one result per
// occurrence of a dead (error), failing (warning), moved (warning) or
// blocked (note) link, or of a link whose #fragment is missing (warning), located at file:line:column with a URI relative to
// the repository root (%SRCROOT%, whose file:// URI originalUriBaseIds
// gives when Data.Root is set); a note outside the repository (an absolute
// path) is located by its file:// URI, without a base. Columns count
// Unicode code points.
func writeSARIF(w io.Writer, d *Data) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "linkvault",
			Version:        d.Version,
			InformationURI: "https://github.com/linkvault/linkvault",
		}},
		ColumnKind: "unicodeCodePoints",
		Results:    []sarifResult{},
	}
	if absPath(filepath.ToSlash(d.Root)) {
		root := fileURI(filepath.ToSlash(d.Root))
		if !strings.HasSuffix(root, "/") {
			root += "/"
		}
		run.OriginalURIBaseIDs = map[string]sarifAL{"%SRCROOT%": {URI: root}}
	}
	ruleIndex := map[string]int{}
	for i, r := range sarifRules {
		ruleIndex[r.id] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:               r.id,
			Name:             r.name,
			ShortDescription: sarifMessage{r.short},
			FullDescription:  sarifMessage{r.full},
			Help:             sarifMessage{r.full},
			DefaultConfig:    sarifRuleConfig{r.level},
		})
	}
	if d.Run != nil {
		inv := sarifInvocation{ExecutionSuccessful: d.Run.Finished && !d.Run.Interrupted}
		if !d.Run.Start.IsZero() {
			inv.StartTimeUTC = d.Run.Start.UTC().Format("2006-01-02T15:04:05Z")
		}
		if !d.Run.End.IsZero() {
			inv.EndTimeUTC = d.Run.End.UTC().Format("2006-01-02T15:04:05Z")
		}
		run.Invocations = []sarifInvocation{inv}
		run.Properties = map[string]any{"linkvault_run": d.Run.ID}
	}
	for _, o := range occurrences(visible(d)) {
		rule := sarifRuleFor(o)
		if rule == "" {
			continue
		}
		ri := ruleIndex[rule]
		res := sarifResult{
			RuleID:    rule,
			RuleIndex: ri,
			Level:     sarifRules[ri].level,
			Message:   sarifMessage{sarifText(o.e, rule, o.src)},
			PartialFingerprints: map[string]string{
				"linkvault/v1": fingerprint(rule, o.e.URL+fragmentKey(rule, o.src), o.src.File),
			},
			Properties: map[string]any{"url": o.e.URL, "state": o.e.State},
		}
		if o.e.Last != nil && o.e.Last.HTTPStatus != 0 {
			res.Properties["http_status"] = o.e.Last.HTTPStatus
		}
		if mv := movedTo(o.e); mv != "" {
			res.Properties["moved_to"] = mv
		}
		if o.src.File != "" {
			res.Locations = []sarifLocation{sarifLocationOf(o.src)}
		}
		run.Results = append(run.Results, res)
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("report: sarif: %w", err)
	}
	return nil
}

// sarifRuleFor is the id of the rule an occurrence breaks: a missing
// #fragment, or the rule of its link's state; "" for none.
func sarifRuleFor(o occurrence) string {
	if sourceMissing(o.e, o.src) {
		return RuleFragmentMissing
	}
	return sarifRuleOf(o.e.State)
}

// sarifRuleOf is the id of the rule a link in state st breaks, "" for none.
func sarifRuleOf(st linkvault.State) string {
	switch st {
	case linkvault.StateDead:
		return RuleDeadLink
	case linkvault.StateFailing:
		return RuleFailingLink
	case linkvault.StateMoved:
		return RuleMovedLink
	case linkvault.StateBlocked:
		return RuleBlockedLink
	}
	return ""
}

// sarifLocationOf is the location of an occurrence in the note src.File: a
// file in the repository is relative to %SRCROOT%; one outside it
// (absolute) is a file:// URI, with no base.
func sarifLocationOf(src linkvault.Source) sarifLocation {
	art := sarifAL{URI: escapePath(src.File), URIBaseID: "%SRCROOT%"}
	if absPath(src.File) {
		art = sarifAL{URI: fileURI(src.File)}
	}
	loc := sarifLocation{Physical: sarifPhysical{Artifact: art}}
	if src.Line > 0 {
		loc.Physical.Region = &sarifRegion{StartLine: src.Line, StartColumn: max(src.Column, 0)}
	}
	return loc
}

// sarifText is the one-line message of a result of rule for the
// occurrence src of e.
func sarifText(e *Entry, rule string, src linkvault.Source) string {
	if rule == RuleFragmentMissing {
		return clean(fmt.Sprintf("Fragment missing %s#%s: no anchor %q on the page", e.URL, src.Fragment, src.Fragment))
	}
	switch e.State {
	case linkvault.StateDead:
		return clean(fmt.Sprintf("Dead link %s: %s", e.URL, reason(e)))
	case linkvault.StateFailing:
		return clean(fmt.Sprintf("Failing link %s: %s (%d bad checks in a row)", e.URL, reason(e), e.ConsecutiveBad))
	case linkvault.StateMoved:
		if mv := movedTo(e); mv != "" {
			return clean(fmt.Sprintf("Moved link %s: now at %s", e.URL, mv))
		}
		return clean(fmt.Sprintf("Moved link %s", e.URL))
	}
	return clean(fmt.Sprintf("Blocked link %s: %s", e.URL, reason(e)))
}

// fragmentKey is "#fragment" for a fragment-missing result, "" for the
// others (whose fingerprints stay as they were): two missing fragments of
// one URL in one note are two alerts.
func fragmentKey(rule string, src linkvault.Source) string {
	if rule != RuleFragmentMissing {
		return ""
	}
	return "#" + src.Fragment
}

// fingerprint identifies a result across runs independently of its line,
// so that code scanning follows an alert when lines move.
func fingerprint(rule, url, file string) string {
	sum := sha256.Sum256([]byte(rule + "\x00" + url + "\x00" + file))
	return hex.EncodeToString(sum[:16])
}
