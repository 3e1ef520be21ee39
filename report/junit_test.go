package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkvault/linkvault"
)

// xsdNode is a generic element, decoded to check the structure that
// testdata/junit-10.xsd requires: required attributes, allowed children
// and their order.
type xsdNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []xsdNode  `xml:",any"`
}

func (n *xsdNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// junitRules mirrors testdata/junit-10.xsd: for each element its
// children in order and its required and allowed attributes.
var junitRules = map[string]struct {
	children []string // in the order the schema's sequence allows
	required []string
	allowed  []string
}{
	"testsuites": {[]string{"testsuite"}, nil, []string{"name", "time", "tests", "failures", "disabled", "errors"}},
	"testsuite": {[]string{"properties", "testcase", "system-out", "system-err"}, []string{"name", "tests"},
		[]string{"failures", "errors", "time", "disabled", "skipped", "skips", "timestamp", "hostname", "id", "package", "assertions", "file", "skip", "log", "url"}},
	"testcase": {[]string{"properties", "skipped", "error", "failure", "system-out", "system-err"}, []string{"name"},
		[]string{"assertions", "time", "classname", "status", "class", "file", "line"}},
	"properties": {[]string{"property"}, nil, nil},
	"property":   {nil, []string{"name", "value"}, nil},
	"failure":    {nil, nil, []string{"type", "message"}},
	"error":      {nil, nil, []string{"type", "message"}},
	"skipped":    {nil, nil, []string{"type", "message"}},
	"system-out": {nil, nil, nil},
	"system-err": {nil, nil, nil},
}

func checkJUnitNode(t *testing.T, n *xsdNode, path string) {
	t.Helper()
	name := n.XMLName.Local
	path += "/" + name
	rule, ok := junitRules[name]
	if !ok {
		t.Errorf("%s: element not in the schema", path)
		return
	}
	for _, req := range rule.required {
		if _, ok := n.attr(req); !ok {
			t.Errorf("%s: required attribute %q missing", path, req)
		}
	}
	for _, a := range n.Attrs {
		if !contains(rule.required, a.Name.Local) && !contains(rule.allowed, a.Name.Local) {
			t.Errorf("%s: attribute %q not in the schema", path, a.Name.Local)
		}
	}
	pos := 0
	for i := range n.Nodes {
		c := &n.Nodes[i]
		idx := indexOf(rule.children, c.XMLName.Local)
		if idx < 0 {
			t.Errorf("%s: child <%s> not allowed", path, c.XMLName.Local)
			continue
		}
		if idx < pos {
			t.Errorf("%s: child <%s> out of order", path, c.XMLName.Local)
		}
		pos = idx
		checkJUnitNode(t, c, path)
	}
}

func contains(list []string, s string) bool { return indexOf(list, s) >= 0 }

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// TestJUnitSchema validates the JUnit report of the fixture against
// testdata/junit-10.xsd: structurally in Go always, and with xmllint when
// it is installed (required under CI=true).
func TestJUnitSchema(t *testing.T) {
	for _, policy := range []linkvault.FailOn{linkvault.FailOnDead, linkvault.FailOnBroken} {
		t.Run(string(policy), func(t *testing.T) {
			d := fixture()
			d.Policy.FailOn = policy
			d.Entries[1].Sources[0].File = "bad\x00\x1bname <&>.md" // characters XML 1.0 cannot carry
			var b bytes.Buffer
			if err := writeJUnit(&b, d); err != nil {
				t.Fatal(err)
			}
			var root xsdNode
			if err := xml.Unmarshal(b.Bytes(), &root); err != nil {
				t.Fatalf("not well-formed: %v", err)
			}
			checkJUnitNode(t, &root, "")

			path, err := exec.LookPath("xmllint")
			if err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatal("xmllint not installed (apt-get install libxml2-utils): the schema check must run in CI")
				}
				t.Log("xmllint not installed: validated structurally only")
				return
			}
			file := filepath.Join(t.TempDir(), "junit.xml")
			if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(path, "--noout", "--schema", filepath.Join("testdata", "junit-10.xsd"), file).CombinedOutput()
			if err != nil {
				t.Errorf("xmllint: %v\n%s", err, out)
			}
		})
	}
}

// TestJUnitSchemaRejects checks that xmllint with testdata/junit-10.xsd
// rejects what is wrong, or TestJUnitSchema proves nothing.
func TestJUnitSchemaRejects(t *testing.T) {
	path, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint not installed (apt-get install libxml2-utils): the schema check must run in CI")
		}
		t.Skip("xmllint not installed")
	}
	bad := []string{
		`<testsuites><testsuite name="a" tests="1"><testcase classname="a"/></testsuite></testsuites>`,                             // testcase without name
		`<testsuites><testsuite name="a" tests="1"><testcase name="x"><dead/></testcase></testsuite></testsuites>`,                 // unknown element
		`<testsuites><testsuite name="a" tests="many"><testcase name="x"/></testsuite></testsuites>`,                               // tests not a number
		`<testsuites><testsuite name="a" tests="1"><testcase name="x"><system-out/><failure/></testcase></testsuite></testsuites>`, // out of order
	}
	for i, doc := range bad {
		file := filepath.Join(t.TempDir(), "bad.xml")
		if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(path, "--noout", "--schema", filepath.Join("testdata", "junit-10.xsd"), file).CombinedOutput(); err == nil {
			t.Errorf("bad document %d validates: %s\n%s", i, doc, out)
		}
	}
}

// TestJUnitOutcomes checks the test case of each state and the counts.
func TestJUnitOutcomes(t *testing.T) {
	type tc struct {
		Name      string `xml:"name,attr"`
		Classname string `xml:"classname,attr"`
		Failure   *struct {
			Type string `xml:"type,attr"`
		} `xml:"failure"`
		Skipped *struct{} `xml:"skipped"`
		Props   []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
	}
	type suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Skipped  int    `xml:"skipped,attr"`
			Cases    []tc   `xml:"testcase"`
		} `xml:"testsuite"`
	}
	tests := []struct {
		failOn       linkvault.FailOn
		wantFailures int
	}{
		{linkvault.FailOnDead, 3},   // two dead links, one with two occurrences
		{linkvault.FailOnBroken, 7}, // plus three failing links and the occurrence of a missing fragment
	}
	for _, tt := range tests {
		t.Run(string(tt.failOn), func(t *testing.T) {
			d := fixture()
			d.Policy.FailOn = tt.failOn
			var b bytes.Buffer
			if err := writeJUnit(&b, d); err != nil {
				t.Fatal(err)
			}
			var got suites
			if err := xml.Unmarshal(b.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Failures != tt.wantFailures {
				t.Errorf("failures = %d, want %d", got.Failures, tt.wantFailures)
			}
			wantTests := 0
			for _, e := range visible(d) {
				wantTests += max(len(e.Sources), 1)
			}
			if got.Tests != wantTests {
				t.Errorf("tests = %d, want %d (one per occurrence)", got.Tests, wantTests)
			}
			sum := 0
			for _, s := range got.Suites {
				sum += s.Tests
				for _, c := range s.Cases {
					if c.Classname != s.Name {
						t.Errorf("case %q has classname %q in suite %q", c.Name, c.Classname, s.Name)
					}
					if !strings.HasPrefix(c.Name, s.Name+":") {
						t.Errorf("case name %q does not start with file:line", c.Name)
					}
					state := ""
					for _, p := range c.Props {
						if p.Name == "state" {
							state = p.Value
						}
					}
					switch {
					case state == "dead" && (c.Failure == nil || c.Failure.Type != "dead"):
						t.Errorf("dead case %q is not a failure of type dead", c.Name)
					case state == "failing" && (c.Failure != nil) != (tt.failOn == linkvault.FailOnBroken):
						t.Errorf("failing case %q: failure %v with fail-on %s", c.Name, c.Failure != nil, tt.failOn)
					case (state == "blocked" || state == "new") && c.Skipped == nil:
						t.Errorf("%s case %q is not skipped", state, c.Name)
					case (state == "alive" || state == "moved") && (c.Failure != nil || c.Skipped != nil):
						t.Errorf("%s case %q is not a pass", state, c.Name)
					case state == "":
						t.Errorf("case %q has no state property", c.Name)
					}
				}
			}
			if sum != got.Tests {
				t.Errorf("suites hold %d tests, testsuites says %d", sum, got.Tests)
			}
			if !strings.Contains(b.String(), `name="`+chineseMD+`:10 https://example.com/gone"`) {
				t.Error("no test case for the occurrence in the Chinese file")
			}
		})
	}
}
