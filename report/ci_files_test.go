package report

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The CI files shipped in the repository (issue 6) are read from the
// module root, one directory up. A missing file fails the test.
const (
	workflowFile = "../examples/github-actions/linkvault.yml"
	cacheFlow    = "../examples/github-actions/linkvault-cache.yml"
	actionFile   = "../action.yml"
	dockerFile   = "../Dockerfile"
	ciDocFile    = "../docs/ci.md"
)

func readRepoFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(name))
	if err != nil {
		t.Fatalf("the repository must ship %s: %v", name, err)
	}
	return b
}

type ghStep struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	If   string            `yaml:"if"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

type ghWorkflow struct {
	Name        string            `yaml:"name"`
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Concurrency struct {
		Group            string `yaml:"group"`
		CancelInProgress bool   `yaml:"cancel-in-progress"`
	} `yaml:"concurrency"`
	Jobs map[string]struct {
		RunsOn string   `yaml:"runs-on"`
		Steps  []ghStep `yaml:"steps"`
	} `yaml:"jobs"`
}

// findStep returns the index of the first step that match accepts, -1
// when none does.
func findStep(steps []ghStep, match func(ghStep) bool) int {
	return slices.IndexFunc(steps, match)
}

func pathsOf(s ghStep) []string {
	var out []string
	for _, p := range strings.Split(s.With["path"], "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.TrimSuffix(p, "/"))
		}
	}
	slices.Sort(out)
	return out
}

// cronRE matches a five-field cron expression.
var cronRE = regexp.MustCompile(`^\S+ \S+ \S+ \S+ \S+$`)

// readWorkflow parses a workflow file and returns it with the steps of
// its one job.
func readWorkflow(t *testing.T, name string) (ghWorkflow, []ghStep) {
	t.Helper()
	var wf ghWorkflow
	if err := yaml.Unmarshal(readRepoFile(t, name), &wf); err != nil {
		t.Fatalf("%s does not parse: %v", name, err)
	}
	if len(wf.Jobs) != 1 {
		t.Fatalf("%s: %d jobs, want 1", name, len(wf.Jobs))
	}
	var steps []ghStep
	for _, j := range wf.Jobs {
		steps = j.Steps
	}
	return wf, steps
}

// linkvaultRE matches a script that runs a linkvault command.
var linkvaultRE = regexp.MustCompile(`\blinkvault (check|report|status|history|get|serve|export|plan|accept|gc|db)\b`)

// secretRE matches a value taken from the repository's secrets.
var secretRE = regexp.MustCompile(`^\$\{\{\s*secrets\.\w+\s*\}\}$`)

// TestWorkflowExample parses examples/github-actions/linkvault.yml, the
// shipped workflow (issue 14): the database and the archive in a bucket
// named by archive.store, the keys from secrets and given only to the
// step that runs linkvault, no cache; and what issue 6 asks of every
// workflow (checkWorkflow).
func TestWorkflowExample(t *testing.T) {
	wf, steps := readWorkflow(t, workflowFile)
	check := checkWorkflow(t, wf, steps)
	if i := findStep(steps, func(s ghStep) bool { return strings.HasPrefix(s.Uses, "actions/cache") }); i >= 0 {
		t.Errorf("step %q uses the Actions cache: the shipped workflow keeps the archive in a bucket", steps[i].Name)
	}
	for i, s := range steps {
		runsLinkvault := linkvaultRE.MatchString(s.Run)
		_, hasKey := s.Env["AWS_ACCESS_KEY_ID"]
		switch {
		case runsLinkvault && i != check:
			t.Errorf("step %q runs linkvault outside the check step, which alone has the bucket's keys", s.Name)
		case !runsLinkvault && (hasKey || s.Env["AWS_SECRET_ACCESS_KEY"] != ""):
			t.Errorf("step %q gets the bucket's keys but does not run linkvault", s.Name)
		}
	}
	env := steps[check].Env
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if !secretRE.MatchString(env[k]) {
			t.Errorf("the check step's %s = %q, want ${{ secrets.NAME }}", k, env[k])
		}
	}
	if store := env["LINKVAULT_ARCHIVE_STORE"]; store == "" && !strings.Contains(steps[check].Run, "--store") {
		t.Error("the check step names no bucket (LINKVAULT_ARCHIVE_STORE or --store)")
	}
	// Reports are read only from a database that the check could reach.
	run := steps[check].Run
	if r, c := strings.Index(run, "linkvault report"), strings.Index(run, `if [ "$status" -le 1 ]`); r < 0 || c < 0 || c > r {
		t.Errorf("the check step runs 'linkvault report' even when the check could not run (exit 3):\n%s", run)
	}
}

// TestCacheWorkflowExample parses examples/github-actions/linkvault-cache.yml,
// the option without credentials: the database and archive restored from
// the cache and saved by a separate step even when the check fails, and
// the cache's limits said at its top.
func TestCacheWorkflowExample(t *testing.T) {
	wf, steps := readWorkflow(t, cacheFlow)
	check := checkWorkflow(t, wf, steps)
	text := string(readRepoFile(t, cacheFlow))
	for _, limit := range []string{"7 days", "10 GB", "whole archive again", "loses every snapshot"} {
		if !strings.Contains(text, limit) {
			t.Errorf("%s does not say the cache's limit %q", cacheFlow, limit)
		}
	}
	restore := findStep(steps, func(s ghStep) bool { return strings.HasPrefix(s.Uses, "actions/cache/restore@") })
	save := findStep(steps, func(s ghStep) bool { return strings.HasPrefix(s.Uses, "actions/cache/save@") })
	if restore < 0 || save < 0 {
		t.Fatalf("steps: cache restore at %d, check at %d, cache save at %d; want all three", restore, check, save)
	}
	if findStep(steps, func(s ghStep) bool { return strings.HasPrefix(s.Uses, "actions/cache@") }) >= 0 {
		t.Error("the combined actions/cache step saves only on success; use separate restore and save steps")
	}
	if !(restore < check && check < save) {
		t.Errorf("order: restore %d, check %d, save %d; want restore before check before save", restore, check, save)
	}
	if !strings.Contains(steps[save].If, "always()") {
		t.Errorf("the cache save step has if: %q, want always() so that a failing run still saves", steps[save].If)
	}
	for _, i := range []int{restore, save} {
		if got, want := pathsOf(steps[i]), []string{"archive", "linkvault.db"}; !slices.Equal(got, want) {
			t.Errorf("step %q caches %q, want %q", steps[i].Name, got, want)
		}
	}
	key := steps[save].With["key"]
	if key == "" || steps[restore].With["key"] != key {
		t.Errorf("cache keys: restore %q, save %q; want the same non-empty key", steps[restore].With["key"], key)
	}
	if rk := strings.TrimSpace(steps[restore].With["restore-keys"]); rk == "" || !strings.HasPrefix(key, rk) {
		t.Errorf("restore-keys %q is not a prefix of the key %q: yesterday's cache would never be found", rk, key)
	}
	fail := findStep(steps, func(s ghStep) bool { return strings.Contains(s.Run, "exit 1") && strings.Contains(s.If, "status") })
	if fail < save {
		t.Errorf("the step failing the job (%d) comes before the cache is saved (%d)", fail, save)
	}
}

// checkWorkflow checks what issue 6 asks of a nightly workflow: a
// schedule plus manual dispatch; one run at a time; the Markdown summary
// in the job summary; the HTML report published; one issue kept up to
// date, closed only when a run found every link alive. It returns the
// index of the check step.
func checkWorkflow(t *testing.T, wf ghWorkflow, steps []ghStep) int {
	t.Helper()
	// Triggers.
	sched, _ := wf.On["schedule"].([]any)
	if len(sched) == 0 {
		t.Error("no schedule trigger")
	}
	for _, s := range sched {
		m, _ := s.(map[string]any)
		if cron, _ := m["cron"].(string); !cronRE.MatchString(cron) {
			t.Errorf("schedule entry %v has no five-field cron", s)
		}
	}
	if _, ok := wf.On["workflow_dispatch"]; !ok {
		t.Error("no workflow_dispatch trigger (manual runs)")
	}
	if wf.Permissions["issues"] != "write" {
		t.Errorf("permissions.issues = %q, want write (the dead-links issue)", wf.Permissions["issues"])
	}
	if wf.Concurrency.Group == "" || wf.Concurrency.CancelInProgress {
		t.Errorf("concurrency = %+v, want a group that never cancels a run in progress (one writer per database)", wf.Concurrency)
	}

	check := findStep(steps, func(s ghStep) bool { return strings.Contains(s.Run, "linkvault check") })
	if check < 0 {
		t.Fatal("no step runs linkvault check")
	}
	// The check must not stop the job before the summary and the issue.
	run := steps[check].Run
	if !strings.Contains(run, "set +e") {
		t.Error("the check step does not capture linkvault's exit status (set +e)")
	}
	for _, f := range regexp.MustCompile(`--format[ =](\S+)`).FindAllStringSubmatch(run, -1) {
		if !slices.Contains(Formats(), f[1]) {
			t.Errorf("the workflow uses --format %s, not one of %v", f[1], Formats())
		}
	}

	// Job summary.
	summary := findStep(steps, func(s ghStep) bool {
		return strings.Contains(s.Run, "--format markdown") && strings.Contains(s.Run, `>> "$GITHUB_STEP_SUMMARY"`)
	})
	if summary < 0 {
		t.Error(`no step appends the Markdown report to "$GITHUB_STEP_SUMMARY"`)
	}

	// HTML report published from the directory the check writes it to.
	m := regexp.MustCompile(`--report-dir[ =](\S+)`).FindStringSubmatch(run)
	if m == nil {
		t.Fatal("the check step writes no HTML report (--report-dir)")
	}
	publish := findStep(steps, func(s ghStep) bool {
		return strings.HasPrefix(s.Uses, "actions/upload-artifact@") || strings.HasPrefix(s.Uses, "actions/upload-pages-artifact@")
	})
	switch {
	case publish < 0:
		t.Error("the HTML report is not published (upload-artifact or upload-pages-artifact)")
	case strings.TrimSuffix(steps[publish].With["path"], "/") != strings.TrimSuffix(m[1], "/"):
		t.Errorf("publishes %q, but the report is written to %q", steps[publish].With["path"], m[1])
	case !strings.Contains(steps[publish].If, "always()"):
		t.Errorf("the publish step has if: %q, want always(): dead links are when the report matters", steps[publish].If)
	case publish < check:
		t.Error("the report is published before it is written")
	}

	// One issue, edited night after night; created only when none is open.
	issue := findStep(steps, func(s ghStep) bool { return strings.Contains(s.Run, "gh issue") })
	if issue < 0 {
		t.Fatal("no step keeps an issue with the dead links")
	}
	script := steps[issue].Run
	list, edit, create := strings.Index(script, "gh issue list"), strings.Index(script, "gh issue edit"), strings.Index(script, "gh issue create")
	if list < 0 || edit < 0 || create < 0 || !(list < edit && edit < create) {
		t.Errorf("the issue step must look for the open issue, edit it, and create one only when there is none:\n%s", script)
	}
	if strings.Count(script, "gh issue create") != 1 {
		t.Errorf("gh issue create appears %d times, want once (in the branch without an open issue)", strings.Count(script, "gh issue create"))
	}
	// A run that could not run (exit 2, 3) says nothing about the links.
	if closeAt := strings.Index(script, "gh issue close"); closeAt >= 0 &&
		!regexp.MustCompile(`elif \[ "\$STATUS" = 0 \][^\n]*\n\s*gh issue close`).MatchString(script) {
		t.Errorf("the issue is closed after any exit status but 1, also when linkvault could not run:\n%s", script)
	}
	if !strings.Contains(steps[issue].If, "always()") {
		t.Errorf("the issue step has if: %q, want always(): it runs exactly when links are dead", steps[issue].If)
	}
	if steps[issue].Env["GH_TOKEN"] == "" {
		t.Error("the issue step has no GH_TOKEN for gh")
	}
	// The run still fails when links are dead, after everything above.
	fail := findStep(steps, func(s ghStep) bool { return strings.Contains(s.Run, "exit 1") && strings.Contains(s.If, "status") })
	if fail < 0 || fail < issue {
		t.Errorf("the last step must fail the job when links are dead (found at %d; issue at %d)", fail, issue)
	}
	return check
}

// actionStep is a step of a composite action, which must name its shell.
type actionStep struct {
	ghStep `yaml:",inline"`
	Shell  string `yaml:"shell"`
}

// TestActionMetadata parses action.yml: others can `uses:` linkvault.
func TestActionMetadata(t *testing.T) {
	var a struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
		Inputs      map[string]struct {
			Description string `yaml:"description"`
			Default     string `yaml:"default"`
		} `yaml:"inputs"`
		Runs struct {
			Using string       `yaml:"using"`
			Image string       `yaml:"image"`
			Steps []actionStep `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(readRepoFile(t, actionFile), &a); err != nil {
		t.Fatalf("%s does not parse: %v", actionFile, err)
	}
	if a.Name == "" || a.Description == "" {
		t.Errorf("name %q, description %q: both are required", a.Name, a.Description)
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
	}
	if a.Inputs["args"].Default == "" {
		t.Error(`input "args" has no default`)
	}
	if _, ok := a.Inputs["store"]; !ok {
		t.Error(`no input "store": the bucket of the archive and the database (issue 14)`)
	} else if !slices.ContainsFunc(a.Runs.Steps, func(s actionStep) bool {
		return strings.Contains(s.Env["LINKVAULT_ARCHIVE_STORE"], "inputs.store") && strings.Contains(s.Run, "linkvault ")
	}) {
		t.Error(`the input "store" does not reach linkvault as LINKVAULT_ARCHIVE_STORE`)
	}
	switch a.Runs.Using {
	case "composite":
		for i, s := range a.Runs.Steps {
			if s.Run != "" {
				if s.Shell == "" {
					t.Errorf("composite step %d runs a script without shell:", i)
				}
				// Inputs spliced into a script could inject commands:
				// they must come in through the environment.
				if strings.Contains(s.Run, "${{") {
					t.Errorf("composite step %d splices an expression into its script: %q", i, s.Run)
				}
			}
		}
		if !slices.ContainsFunc(a.Runs.Steps, func(s actionStep) bool {
			takesArgs := false
			for name, v := range s.Env {
				if strings.Contains(v, "inputs.args") && strings.Contains(s.Run, name) {
					takesArgs = true
				}
			}
			return strings.Contains(s.Run, "linkvault ") && takesArgs
		}) {
			t.Error("no step runs linkvault with the args input")
		}
	case "docker":
		if a.Runs.Image == "" {
			t.Error("docker action without image")
		}
	default:
		t.Errorf("runs.using = %q, want composite or docker", a.Runs.Using)
	}
}

// TestDockerfile checks the Dockerfile textually: a static binary
// (CGO_ENABLED=0) on a distroless or scratch base, run as a numeric
// non-root user (Kubernetes' runAsNonRoot cannot verify a user name).
func TestDockerfile(t *testing.T) {
	type instr struct{ op, args string }
	var stages [][]instr
	sc := bufio.NewScanner(bytes.NewReader(readRepoFile(t, dockerFile)))
	var cont string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cont += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line, cont = cont+line, ""
		op, args, _ := strings.Cut(line, " ")
		op = strings.ToUpper(op)
		if op == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("instruction before FROM: %s", line)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], instr{op, strings.TrimSpace(args)})
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a build stage and a runtime stage", len(stages))
	}
	build, final := stages[:len(stages)-1], stages[len(stages)-1]

	static := false
	for _, st := range build {
		for _, in := range st {
			if in.op == "RUN" && strings.Contains(in.args, "go build") && strings.Contains(in.args, "CGO_ENABLED=0") {
				static = true
			}
			if in.op == "ENV" && strings.Contains(in.args, "CGO_ENABLED=0") {
				static = true
			}
		}
	}
	if !static {
		t.Error("the binary is not built with CGO_ENABLED=0 (static)")
	}

	base := strings.Fields(final[0].args)[0]
	if base != "scratch" && !strings.HasPrefix(base, "gcr.io/distroless/static") {
		t.Errorf("runtime base %q, want scratch or gcr.io/distroless/static", base)
	}
	user := ""
	for _, in := range final {
		switch in.op {
		case "USER":
			user = in.args
		case "RUN":
			t.Errorf("RUN in the runtime stage (%s): distroless and scratch have no shell", in.args)
		case "ENTRYPOINT":
			if !strings.HasPrefix(in.args, "[") {
				t.Errorf("ENTRYPOINT %s: use the exec form, there is no shell", in.args)
			}
		}
	}
	uid, _, _ := strings.Cut(user, ":")
	if !regexp.MustCompile(`^[0-9]+$`).MatchString(uid) || uid == "0" {
		t.Errorf("USER %q: want a numeric non-root uid (runAsNonRoot needs a number)", user)
	}
}

// TestCIDoc checks docs/ci.md: GitLab CI and a Kubernetes CronJob are
// documented, every YAML example parses, and the CronJob runs as non-root
// with its database on a writable volume.
func TestCIDoc(t *testing.T) {
	text := string(readRepoFile(t, ciDocFile))
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(text, -1)
	var gitlabBucket, gitlabCache, cron map[string]any
	for _, b := range blocks {
		var doc any
		if err := yaml.Unmarshal([]byte(b[1]), &doc); err != nil {
			t.Errorf("a YAML example of %s does not parse: %v\n%s", ciDocFile, err, b[1])
			continue
		}
		v, _ := doc.(map[string]any) // a step list (uses:) is fine too
		job, _ := v["linkvault"].(map[string]any)
		switch {
		case v["kind"] == "CronJob":
			cron = v
		case job["cache"] != nil:
			gitlabCache = job
		case job != nil:
			gitlabBucket = job
		}
	}
	// The bucket first; the cache documented with its limits (issue 14).
	if gitlabBucket == nil {
		t.Error("no GitLab CI job keeping the archive in a bucket")
	} else if vars, _ := gitlabBucket["variables"].(map[string]any); !strings.HasPrefix(fmt.Sprint(vars["LINKVAULT_ARCHIVE_STORE"]), "s3://") {
		t.Errorf("the GitLab job's variables %v name no s3:// store", vars)
	}
	if gitlabCache == nil {
		t.Error("no GitLab CI job with the cache (the option without credentials)")
	} else if c, _ := gitlabCache["cache"].(map[string]any); c["when"] != "always" {
		t.Errorf("GitLab cache when = %v, want always (save the database when links are dead)", c["when"])
	}
	cacheDoc := ""
	if i := strings.Index(text, "### Without credentials"); i >= 0 {
		cacheDoc = text[i:]
	} else {
		t.Errorf("%s has no section \"### Without credentials\" for the cache", ciDocFile)
	}
	for _, limit := range []string{"7 days", "10 GB", "whole archive again", "every snapshot ever taken"} {
		if !strings.Contains(cacheDoc, limit) {
			t.Errorf("%s: the cache section does not state the limit %q", ciDocFile, limit)
		}
	}
	for _, cmd := range []string{"linkvault db generations", "linkvault db restore", "archive.db_generations", "archive.db_lease", "in use by another linkvault run"} {
		if !strings.Contains(text, cmd) {
			t.Errorf("%s does not document %q", ciDocFile, cmd)
		}
	}
	if cron == nil {
		t.Fatal("no Kubernetes CronJob in the docs")
	}
	var cj struct {
		Spec struct {
			ConcurrencyPolicy string `yaml:"concurrencyPolicy"`
			JobTemplate       struct {
				Spec struct {
					Template struct {
						Spec struct {
							Containers []struct {
								Env []struct {
									Name      string `yaml:"name"`
									Value     string `yaml:"value"`
									ValueFrom struct {
										SecretKeyRef struct {
											Name string `yaml:"name"`
										} `yaml:"secretKeyRef"`
									} `yaml:"valueFrom"`
								} `yaml:"env"`
							} `yaml:"containers"`
							SecurityContext struct {
								RunAsNonRoot bool `yaml:"runAsNonRoot"`
								RunAsUser    int  `yaml:"runAsUser"`
								FSGroup      int  `yaml:"fsGroup"`
							} `yaml:"securityContext"`
						} `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			} `yaml:"jobTemplate"`
		} `yaml:"spec"`
	}
	b, _ := yaml.Marshal(cron)
	if err := yaml.Unmarshal(b, &cj); err != nil {
		t.Fatal(err)
	}
	if cj.Spec.ConcurrencyPolicy != "Forbid" {
		t.Errorf("concurrencyPolicy = %q, want Forbid (one writer per database)", cj.Spec.ConcurrencyPolicy)
	}
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("the CronJob has %d containers, want 1", len(pod.Containers))
	}
	env := map[string]string{}
	for _, e := range pod.Containers[0].Env {
		env[e.Name] = e.Value
		if e.ValueFrom.SecretKeyRef.Name != "" {
			env[e.Name] = "secret:" + e.ValueFrom.SecretKeyRef.Name
		}
	}
	if !strings.HasPrefix(env["LINKVAULT_ARCHIVE_STORE"], "s3://") {
		t.Errorf("the CronJob's LINKVAULT_ARCHIVE_STORE = %q, want an s3:// bucket", env["LINKVAULT_ARCHIVE_STORE"])
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if !strings.HasPrefix(env[k], "secret:") {
			t.Errorf("the CronJob's %s = %q, want it from a Secret (secretKeyRef)", k, env[k])
		}
	}
	sc := pod.SecurityContext
	if !sc.RunAsNonRoot || sc.RunAsUser == 0 || sc.FSGroup == 0 {
		t.Errorf("securityContext = %+v, want runAsNonRoot with a runAsUser and an fsGroup (the volume must be writable)", sc)
	}
}
