package report

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/linkvault/linkvault"
)

// sarifSchema compiles testdata/sarif-2.1.0-trimmed.json, with format
// assertions on (uri, date-time).
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif-2.1.0-trimmed.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestSARIFSchema(t *testing.T) {
	sch := sarifSchema(t)
	tests := []struct {
		name string
		data *Data
	}{
		{"fixture", fixture()},
		{"empty", &Data{Version: "dev"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeSARIF(&b, tt.data); err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(&b)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("the SARIF log does not validate: %v", err)
			}
		})
	}
	// The schema must reject what is wrong, or the check above proves nothing.
	bad := []string{
		`{"version":"2.1.0","runs":[{"tool":{"driver":{}}}]}`,                                                                                                                                                // driver without name
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}`,                                                                                 // unknown level
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"r"}]}]}`,                                                                                                           // result without message
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.md"},"region":{"startLine":0}}}]}]}]}`, // line 0
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"columnKind":"bytes"}]}`,                                                                                                                 // unknown column kind
	}
	for _, doc := range bad {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if sch.Validate(inst) == nil {
			t.Errorf("the schema accepts an invalid log: %s", doc)
		}
	}
}

func TestSARIFResults(t *testing.T) {
	var b bytes.Buffer
	if err := writeSARIF(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Name    string `json:"name"`
					Version string `json:"version"`
					Rules   []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					Physical struct {
						Artifact struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "linkvault" || run.Tool.Driver.Version != "1.2.3" {
		t.Errorf("driver = %q %q, want linkvault 1.2.3", run.Tool.Driver.Name, run.Tool.Driver.Version)
	}
	count := map[string]int{}
	levels := map[string]string{}
	uris := map[string]bool{}
	for _, r := range run.Results {
		count[r.RuleID]++
		levels[r.RuleID] = r.Level
		if got := run.Tool.Driver.Rules[r.RuleIndex].ID; got != r.RuleID {
			t.Errorf("ruleIndex %d points at %q, want %q", r.RuleIndex, got, r.RuleID)
		}
		for _, l := range r.Locations {
			uris[l.Physical.Artifact.URI] = true
			if l.Physical.Region.StartLine < 1 {
				t.Errorf("result %s without a line", r.RuleID)
			}
		}
	}
	// The link with a missing fragment: one result, for the occurrence
	// whose #install is gone (not the one whose #usage is there).
	wantCount := map[string]int{RuleDeadLink: 3, RuleFailingLink: 3, RuleMovedLink: 2, RuleBlockedLink: 1, RuleFragmentMissing: 1}
	wantLevel := map[string]string{RuleDeadLink: "error", RuleFailingLink: "warning", RuleMovedLink: "warning", RuleBlockedLink: "note", RuleFragmentMissing: "warning"}
	for rule, n := range wantCount {
		if count[rule] != n || levels[rule] != wantLevel[rule] {
			t.Errorf("%s: %d results at level %q, want %d at %q", rule, count[rule], levels[rule], n, wantLevel[rule])
		}
	}
	chinese := escapePath(chineseMD)
	if !uris[chinese] {
		t.Errorf("no result located in %q (%s); uris: %v", chinese, chineseMD, uris)
	}
	if u, err := url.Parse(chinese); err != nil || u.Path != chineseMD {
		t.Errorf("artifact URI %q does not decode to %q", chinese, chineseMD)
	}
}

// TestSARIFFragmentFingerprints: two missing fragments of one URL in one
// note are two alerts (distinct fingerprints); the fragment that is still
// there gives none.
func TestSARIFFragmentFingerprints(t *testing.T) {
	d := fixture()
	for i := range d.Entries {
		e := &d.Entries[i]
		if e.URL == "https://tool.example.dev/readme" {
			e.Sources = append(e.Sources, linkvault.Source{File: "notes/c.md", Line: 31, Column: 1, Fragment: "config"})
			e.Last.MissingFragments = []string{"install", "config"}
		}
	}
	var b bytes.Buffer
	if err := writeSARIF(&b, d); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID       string            `json:"ruleId"`
				Fingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range log.Runs[0].Results {
		if r.RuleID == RuleFragmentMissing {
			seen[r.Fingerprints["linkvault/v1"]] = true
		}
	}
	if len(seen) != 2 {
		t.Errorf("%d distinct fragment-missing fingerprints, want 2 (#install and #config)", len(seen))
	}
}
