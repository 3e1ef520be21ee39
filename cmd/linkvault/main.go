// Command linkvault keeps the links in a body of notes alive, or at least
// recoverable: it extracts every URL with file:line, checks them politely,
// remembers every run in one BoltDB file, snapshots what it fetched into
// WARC files, and reports what died.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/linkvault/linkvault"
	"github.com/linkvault/linkvault/archive"
)

// version is set at build time with -ldflags "-X main.version=…"
// (which needs a constant here); otherwise a binary built by
// `go install …@v1.2.3` takes its module version.
var version = "0.1.0-dev"

func init() {
	if version == "0.1.0-dev" {
		version = moduleVersion(version, debug.ReadBuildInfo)
	}
}

// Exit statuses. They are part of the CLI contract.
const (
	exitOK          = 0   // nothing to report under the policy
	exitFindings    = 1   // dead links under the policy; get: no such capture
	exitUsage       = 2   // usage, config or input error
	exitCannotRun   = 3   // could not run: database in use, disk, internal error
	exitInterrupted = 130 // Ctrl-C, after saving what was done
)

const exitStatusHelp = `
EXIT STATUS
  0    success: nothing to report under the fail_on policy
  1    links are dead under the fail_on policy (check, report); the URL or
       capture asked for does not exist (get, history)
  2    usage error, invalid config, unreadable or missing input
  3    could not run: database in use by another linkvault process, I/O error
  130  interrupted (Ctrl-C); what was done is saved and the run marked interrupted
`

// globalOptions are the flags shared by every command.
type globalOptions struct {
	ConfigFile string // "" means ./config.yaml when it exists, else the defaults
	DBFile     string
	Store      string // --store: overrides archive.store
	Quiet      bool
	NoColor    bool

	stdout, stderr io.Writer
	stdin          io.Reader
}

// exitError carries an exit status through cobra without printing.
type exitError struct {
	code int
	err  error // printed when non-nil
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signalNotifyContext(context.Background())
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// signalNotifyContext is cancelled by Ctrl-C and SIGTERM.
func signalNotifyContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// run executes the command line and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	g := &globalOptions{stdin: stdin, stdout: stdout, stderr: stderr}
	defer routeStdLog(g)()
	root := newRootCommand(g)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	return exitCode(ctx, err, stderr)
}

// exitCode maps an error to an exit status in one place, printing it as
// one line on stderr.
func exitCode(ctx context.Context, err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "linkvault: %v\n", ee.err)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		fmt.Fprintln(stderr, "linkvault: interrupted")
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "linkvault: %v%s\n", err, permissionHint(err))
	switch linkvault.ErrorCode(err) {
	case linkvault.EInvalid:
		return exitUsage
	case linkvault.ENotFound:
		return exitFindings
	default:
		return exitCannotRun
	}
}

func newRootCommand(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "linkvault",
		Short: "Keep the links in your notes alive, or at least recoverable",
		Long: `linkvault keeps the links in a body of notes alive, or at least recoverable.

It extracts every URL from Markdown, HTML and plain-text notes (Chinese text
included) with file:line, checks them concurrently and politely (per-host rate
limits, Retry-After honoured), soft 404s included: pages that answer 200 but
lost their content. It remembers every run in one BoltDB file so that it knows
what is newly dead, what is flaky, what died for good and what changed since
it was cited, snapshots what it fetched into standard WARC files, and reports
dead links for people (HTML, terminal) and for CI (JSON, Markdown, JUnit,
SARIF, GitHub annotations).

Configuration is read from --config, or ./config.yaml when it exists; paths in
it are relative to the config file. Every key is documented in the shipped
config.yaml; 'linkvault init' writes one for your notes. Every key can also
be set in the environment as LINKVAULT_ and the key in upper case, dots as
underscores (LINKVAULT_CHECK_RATE=5, LINKVAULT_POLICY_FAIL_ON=new).
Precedence: flag > environment > config file > default.`,
		Example: `  linkvault init                         # a config.yaml for the notes found here
  linkvault links notes/                 # list every URL with file:line
  linkvault check                        # check the notes of ./config.yaml
  linkvault check --format json > out.json
  linkvault history https://github.com/tkestack/kstone
  linkvault get https://example.com/slides.pdf -o slides.pdf
  linkvault serve                        # report and archived copies on 127.0.0.1:8080`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// --version and -v print the line of `linkvault version`.
		Version: version,
	}
	root.SetVersionTemplate(versionLine() + "\n")
	root.Args = usageArgs(cobra.NoArgs) // an unknown command is a usage error
	root.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	root.SetHelpTemplate(root.HelpTemplate() + exitStatusHelp)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())}
	})
	f := root.PersistentFlags()
	f.StringVarP(&g.ConfigFile, "config", "c", "", "config file (default ./config.yaml when it exists)")
	f.StringVar(&g.DBFile, "db", "", "BoltDB file (default: db: in the config, linkvault.db)")
	f.StringVar(&g.Store, "store", "", "where the WARC files are: a directory or s3://BUCKET/PREFIX (default: archive.store in the config)")
	f.BoolVarP(&g.Quiet, "quiet", "q", false, "print only errors and the final result")
	f.BoolVar(&g.NoColor, "no-color", false, "disable colours (also NO_COLOR=1)")
	root.Flags().BoolP("version", "v", false, "print the version (the line of 'linkvault version')")

	root.AddCommand(
		newLinksCommand(g),
		newCheckCommand(g),
		newPlanCommand(g),
		newReportCommand(g),
		newHistoryCommand(g),
		newStatusCommand(g),
		newGetCommand(g),
		newAcceptCommand(g),
		newServeCommand(g),
		newGCCommand(g),
		newDBCommand(g),
		newExportCommand(g),
		newVersionCommand(g),
		newInitCommand(g),
		newGenDocsCommand(g),
	)
	for _, c := range root.Commands() {
		c.SetHelpTemplate(root.HelpTemplate())
	}
	return root
}

// usageArgs makes a positional-argument error a usage error (exit 2)
// that says where to find help.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())}
		}
		return nil
	}
}

// loadConfig returns the config of --config, or the defaults when the
// default ./config.yaml does not exist, with the LINKVAULT_ environment
// variables applied over it (env.go).
func (g *globalOptions) loadConfig() (*Config, error) {
	cfg, err := g.readConfig()
	if err != nil {
		return nil, err
	}
	if err := cfg.applyEnv(os.Environ()); err != nil {
		return nil, err
	}
	g.applyStoreFlag(cfg)
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// readConfig decodes the config file without validating it.
func (g *globalOptions) readConfig() (*Config, error) {
	name := g.ConfigFile
	if name == "" {
		name = "config.yaml"
		if _, err := os.Stat(name); errors.Is(err, os.ErrNotExist) {
			cfg := DefaultConfig()
			if wd, err := os.Getwd(); err == nil {
				cfg.dir = wd
			}
			return cfg, nil
		}
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, linkvault.Errorf(linkvault.EInvalid, "config: %w", pathError(err))
	}
	return decodeConfig(name, data)
}

// dbPath returns the database file: --db, else the config's db:, else,
// when archive.store is a bucket, linkvault.db in it (storeDB). An s3://
// URL (a database in a bucket) is returned as it is.
func (g *globalOptions) dbPath(cfg *Config) string {
	if g.DBFile != "" {
		return g.DBFile
	}
	if !g.dbSet(cfg) {
		a := &cfg.Archive
		if u := storeDB(a.Store, a.StoreEndpoint, a.StoreRegion, a.StorePathStyle); u != "" {
			return u
		}
	}
	if archive.IsRemote(cfg.DB) {
		return cfg.DB
	}
	return cfg.resolve(cfg.DB)
}
