package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"go.yaml.in/yaml/v3"
)

// TestMain lets the test binary act as the real linkvault binary: the
// scripts under testdata/script run it as a separate process with exec.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"linkvault": func() {
			ctx, stop := signalContext()
			code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		},
	})
}

func signalContext() (context.Context, func()) {
	return signalNotifyContext(context.Background())
}

// TestScripts runs the end-to-end scripts against a fake web on loopback.
// Each script starts with $WORK/config.yaml mapping the fake hosts
// (github.com, mp.weixin.qq.com, …) to the fake web, and can move the
// fake web to another day with `day N`.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams())
}

// scriptParams are the parameters of the end-to-end scripts.
func scriptParams() testscript.Params {
	return testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup:               setupScript,
		Cmds:                scriptCmds(),
	}
}

// setupScript starts a fake web for a script and writes its
// $WORK/config.yaml mapping the fake hosts (github.com, mp.weixin.qq.com,
// …) to it.
func setupScript(env *testscript.Env) error {
	web := newFakeWeb()
	env.Defer(web.Close)
	env.Values["web"] = web
	if err := web.writeCA(filepath.Join(env.WorkDir, "ca.pem")); err != nil {
		return err
	}
	// The bodies the archive must give back byte for byte.
	if err := os.WriteFile(filepath.Join(env.WorkDir, "want.pdf"), pdfBody, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(env.WorkDir, "want-gbk.html"), gbkPage, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(env.WorkDir, "want-src.tar.gz"), vanishTarball, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(env.WorkDir, "want-forge.tar.gz"), forgeTarball, 0o644); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	env.Setenv("SERVE_ADDR", ln.Addr().String()) // a free port for linkvault serve
	ln.Close()
	env.Setenv("NO_COLOR", "1")
	plain, _ := web.addrs()
	env.Setenv("WEB_PLAIN", plain) // the fake web's HTTP address, for check.resolve entries
	env.Setenv("GITHUB_TOKEN", "")
	env.Setenv("GITHUB_ACTIONS", "")
	cfg := fmt.Sprintf(`notes: [notes]
db: linkvault.db
check:
  ca_file: ca.pem
  allow_private: true
  retries: 1
  connect_timeout: 2s
  header_timeout: 5s
  read_timeout: 5s
  resolve:
%s
hosts:
  github.com: {rate: 50, burst: 10, concurrency: 4}
policy:
  dead_after: 2
  dead_min_age: 0
# Repository sources and Software Heritage are off but in the scripts
# that turn them on (setconfig).
archive:
  repo_max_size: 0
software_heritage: false
wayback:
  endpoint: https://web.archive.org
  # The fake web is on loopback: its hosts count as public.
  public_hosts: [%s]
`, web.resolveYAML(), strings.Join(fakeHosts, ", "))
	return os.WriteFile(filepath.Join(env.WorkDir, "config.yaml"), []byte(cfg), 0o644)
}

// scriptCmds are the commands the scripts may use besides testscript's.
func scriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"day":       cmdDay,
		"requests":  cmdRequests,
		"crashloop": cmdCrashLoop,
		"exits":     cmdExits,
		"sleep":     cmdSleep,
		"waitfor":   cmdWaitFor,
		"httpget":   cmdHTTPGet,
		"setconfig": cmdSetConfig,
		"warcgrep":  cmdWARCGrep,
		"warccount": cmdWARCCount,
		"swhlimit":  cmdSWHLimit,
		"ghapi":     cmdGHAPI,
	}
}

func fakeWebOf(ts *testscript.TestScript) *fakeWeb {
	return ts.Value("web").(*fakeWeb)
}

// day N: the fake web answers as on day N.
func cmdDay(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: day N")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	fakeWebOf(ts).day.Store(int32(n))
}

// requests HOST/PATH N: the fake web answered exactly N requests for it.
func cmdRequests(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: requests HOST/PATH N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	got := fakeWebOf(ts).requestsTo(args[0])
	if (got == want) == neg {
		ts.Fatalf("requests to %s: got %d, want %d", args[0], got, want)
	}
}

// crashloop N ARGS...: runs `linkvault ARGS...` N times, killing it with
// SIGKILL at a random moment each time.
func cmdCrashLoop(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: crashloop N ARGS...")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	bin, err := exec.LookPath("linkvault")
	if err != nil {
		// testscript puts linkvault on the script's PATH, not ours.
		for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
			if p := filepath.Join(dir, "linkvault"); fileExists(p) {
				bin = p
				break
			}
		}
	}
	if bin == "" {
		ts.Fatalf("linkvault not found on PATH")
	}
	killed := 0
	for i := 0; i < n; i++ {
		cmd := exec.Command(bin, args[2:]...)
		cmd.Dir = ts.Getenv("WORK")
		cmd.Env = scriptEnv(ts)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		ts.Check(cmd.Start())
		if i == 0 {
			// However loaded the machine, the first run gets as far as
			// creating the database before the kills begin to count.
			db := filepath.Join(ts.Getenv("WORK"), "linkvault.db")
			for deadline := time.Now().Add(20 * time.Second); !fileExists(db) && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
		}
		time.Sleep(time.Duration(rand.IntN(1500)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
		}
		if s := stderr.String(); s != "" {
			ts.Logf("run %d: %s", i, s)
		}
	}
	ts.Logf("killed %d of %d runs", killed, n)
	if killed < n/2 {
		ts.Fatalf("only %d of %d runs were killed mid-run", killed, n)
	}
}

func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	for _, k := range []string{"PATH", "HOME", "WORK", "NO_COLOR", "TMPDIR"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	return env
}

// exits N PROG ARGS...: runs PROG and checks that its exit status is N;
// its stdout and stderr are then checked by stdout and stderr.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: exits N PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// sleep DURATION
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}

// waitfor HOST/PATH: waits (at most 20s) until the fake web got a request for it.
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	deadline := time.Now().Add(20 * time.Second)
	for fakeWebOf(ts).requestsTo(args[0]) == 0 {
		if time.Now().After(deadline) {
			ts.Fatalf("no request for %s within 20s", args[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// httpget URL FILE: GETs URL (retrying while the server starts) and
// writes "STATUS\nHeader: value…\n\nBODY" to FILE.
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: httpget URL FILE")
	}
	var resp *http.Response
	var err error
	for i := 0; i < 100; i++ {
		if resp, err = http.Get(args[0]); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ts.Check(err)
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", resp.StatusCode)
	resp.Header.Write(&b)
	b.WriteString("\n")
	b.Write(body)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644))
}

// setconfig KEY.PATH VALUE: sets a key of $WORK/config.yaml (the value is
// parsed as YAML), creating the mappings on the way.
func cmdSetConfig(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: setconfig KEY.PATH VALUE")
	}
	name := ts.MkAbs("config.yaml")
	data, err := os.ReadFile(name)
	ts.Check(err)
	var doc yaml.Node
	ts.Check(yaml.Unmarshal(data, &doc))
	var value yaml.Node
	ts.Check(yaml.Unmarshal([]byte(args[1]), &value))
	n := doc.Content[0]
	keys := strings.Split(args[0], ".")
	for i, k := range keys {
		var next *yaml.Node
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == k {
				next = n.Content[j+1]
				if i == len(keys)-1 {
					n.Content[j+1] = value.Content[0]
				}
				break
			}
		}
		if next == nil {
			next = &yaml.Node{Kind: yaml.MappingNode}
			if i == len(keys)-1 {
				next = value.Content[0]
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, next)
		}
		n = next
	}
	out, err := yaml.Marshal(&doc)
	ts.Check(err)
	ts.Check(os.WriteFile(name, out, 0o644))
}
