// Command local runs the action end to end on this machine, the way a runner
// runs its container: it builds the binary as the Dockerfile does, gives it a
// step's environment (INPUT_*, GITHUB_OUTPUT, ...), and shows the log as the
// job's log would, the outputs the step set and its summary.
//
// By default it runs against a local HTTPS GitHub API simulator and needs no
// credentials:
//
//	go run ./cmd/local
//	go run ./cmd/local -organization octo-org -kind remove
//	go run ./cmd/local -credential github-token   # see a permission error
//
// Any input action.yml declares can be given with -with NAME=VALUE
// (repeatable), and -app runs as a GitHub App with a throwaway key that the
// simulator's installation on octo-org trusts:
//
//	go run ./cmd/local -kind jit -organization octo-org -with runner-labels=gpu,linux -with work-folder=_w
//	go run ./cmd/local -app -organization octo-org
//
// -lifecycle plays a workflow's steps in turn: provision a jit runner,
// wait for it online, its build, wait for it gone, prune stale runners:
//
//	go run ./cmd/local -lifecycle
//
// With -api-url it talks to a real GitHub and takes the credential from the
// RUNNER_ADMIN_TOKEN environment variable (never a flag: flags end up in
// shell history):
//
//	RUNNER_ADMIN_TOKEN=ghp_... go run ./cmd/local -api-url https://api.github.com -repository OWNER/REPO
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/runnertoken/runner-token-action/internal/actionbin"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
	"github.com/runnertoken/runner-token-action/internal/toolcli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

// simulated credentials, by the name -credential takes.
var credentials = map[string]ghsim.Credential{
	"admin":        {Type: ghsim.ClassicPAT, Admin: []string{"octo-org/app", "octo-org", "enterprises/octo-ent"}},
	"fine-grained": {Type: ghsim.FineGrainedPAT},
	"github-token": {Type: ghsim.Installation},
	"bad":          {}, // never added: the simulator answers 401
}

// demoRunner is registered in every simulated target, for -kind delete-runner.
const demoRunner = "offline-vm"

// usageHeader comes before the flags in local -h.
const usageHeader = `Usage: go run ./cmd/local [flags]

Builds the action as the Dockerfile does, runs it the way the runner runs
its container against a local HTTPS GitHub API simulator (or, with
-api-url, a real GitHub), and prints the job's log, the outputs and the
step summary. The first run compiles the action and its modules: about a
minute.

Flags:
`

// notWith is the inputs -with refuses, and why: credentials never come
// from a flag (flags end up in shell history), and api-url has its own
// flag, which also chooses a real GitHub.
var notWith = map[string]string{
	"token":       "a credential never comes from a flag: with the simulator use -credential or -app; with -api-url, RUNNER_ADMIN_TOKEN",
	"private-key": "a credential never comes from a flag: use -app for a throwaway App key the simulator trusts",
	"app-id":      "use -app, which sets app-id and private-key together",
	"client-id":   "use -app, which identifies the App by app-id, with private-key",
	"api-url":     "use -api-url, which also takes the credential from RUNNER_ADMIN_TOKEN",
}

// withFlag is -with NAME=VALUE, repeatable.
type withFlag struct {
	names  []string // in the order given
	values map[string]string
}

func (f *withFlag) String() string { return "" }

func (f *withFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("%q is not NAME=VALUE", s)
	}
	if f.values == nil {
		f.values = map[string]string{}
	}
	if _, dup := f.values[name]; dup {
		return fmt.Errorf("input %s given twice", name)
	}
	f.names = append(f.names, name)
	f.values[name] = value
	return nil
}

func run(ctx context.Context, args []string, w, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	var (
		repository   = fs.String("repository", "", "input repository (owner/name); default: the simulated workflow's octo-org/app")
		organization = fs.String("organization", "", "input organization")
		enterprise   = fs.String("enterprise", "", "input enterprise")
		kind         = fs.String("kind", "registration", "input kind: registration, remove, jit, delete-runner, wait or prune")
		runnerName   = fs.String("runner-name", "", "input runner-name (kinds jit and delete-runner; the simulator has an offline runner named "+demoRunner+" in each target)")
		runnerID     = fs.String("runner-id", "", "input runner-id (kind delete-runner)")
		platform     = fs.String("runner-platform", "", "input runner-platform, e.g. linux-x64")
		apiURL       = fs.String("api-url", "", "a real GitHub API URL; the credential comes from $RUNNER_ADMIN_TOKEN. Default: the local simulator")
		credential   = fs.String("credential", "admin", "with the simulator: admin, fine-grained, github-token or bad")
		app          = fs.Bool("app", false, "with the simulator: authenticate as a GitHub App (app-id and private-key) with a throwaway key; the App is installed on octo-org")
		debug        = fs.Bool("debug", false, "show debug lines, as ACTIONS_STEP_DEBUG does")
		lifecycle    = fs.Bool("lifecycle", false, "with the simulator: run a workflow's steps in turn for organization octo-org: provision a jit runner, wait for it online, its build, wait for it gone, prune stale runners")
		with         withFlag
	)
	fs.Var(&with, "with", "set any input action.yml declares, as `NAME=VALUE` (repeatable), e.g. -with timeout=30s -with runner-labels=gpu,linux")
	if code, ok := toolcli.Parse(fs, usageHeader, args, w, stderr); !ok {
		return code, nil
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	live := *apiURL != ""
	if live && *app {
		return 2, usageErr("-app runs against the simulator, whose App installation it uses: leave out -api-url")
	}
	if *lifecycle && (live || *app || set["kind"] || len(with.names) > 0) {
		return 2, usageErr("-lifecycle runs its own steps against the simulator: leave out -api-url, -app, -kind and -with")
	}
	if *app && set["credential"] {
		return 2, usageErr("-app and -credential: the App is the credential; give one of them")
	}
	declared, err := declaredInputs(ctx)
	if err != nil {
		return 0, err
	}
	for _, name := range with.names {
		switch {
		case notWith[name] != "":
			return 2, usageErr(fmt.Sprintf("-with %s: %s", name, notWith[name]))
		case !declared[name]:
			return 2, usageErr(fmt.Sprintf("-with %s: action.yml declares no input %s (it has %s)", name, name, strings.Join(sortedSet(declared), ", ")))
		case set[name]:
			return 2, usageErr(fmt.Sprintf("input %s given twice: as -%s and as -with %s", name, name, name))
		}
	}
	// The runner passes only what the workflow's with: says; so does this
	// tool, so that a forgotten export cannot change the run.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "INPUT_") {
			fmt.Fprintf(stderr, "local: %s in this environment is not passed to the action; use -with %s=VALUE\n", k, strings.ToLower(strings.TrimPrefix(k, "INPUT_")))
		}
	}
	if live && os.Getenv("RUNNER_ADMIN_TOKEN") == "" {
		return 0, errors.New("-api-url talks to a real GitHub: put the credential in RUNNER_ADMIN_TOKEN")
	}
	if live && *repository == "" && *organization == "" && *enterprise == "" && with.values["repository"]+with.values["organization"]+with.values["enterprise"] == "" {
		return 0, errors.New("-api-url talks to a real GitHub: say which -repository, -organization or -enterprise")
	}
	if _, ok := credentials[*credential]; !live && !ok {
		return 0, fmt.Errorf("-credential %q: want admin, fine-grained, github-token or bad", *credential)
	}

	dir, err := os.MkdirTemp("", "runner-token-local")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)

	fmt.Fprintln(w, "Building the action as the Dockerfile does (the first run compiles it and its modules: about a minute)...")
	start := time.Now()
	var progress io.Writer
	if isTerminal(stderr) {
		progress = stderr // go build -v names each package as it compiles it
	}
	binary, err := actionbin.BuildShowing(ctx, dir, progress)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(w, "Built in %.1fs.\n", time.Since(start).Seconds())
	step, err := runnertest.NewStep(dir)
	if err != nil {
		return 0, err
	}

	var (
		token, privateKey string
		sim               *ghsim.Server
	)
	if !live {
		sim, err = ghsim.New("/api/v3")
		if err != nil {
			return 0, err
		}
		defer sim.Close()
		sim.AddExampleTargets()
		for _, t := range []string{"repos/octo-org/app", "orgs/octo-org", "enterprises/octo-ent"} {
			sim.AddRunner(t, ghsim.Runner{Name: demoRunner, Status: "offline", Labels: []string{"self-hosted"}})
		}
		token = "ghp_" + randomHex(18)
		if *app {
			key, pemText, err := ghsim.NewAppKey()
			if err != nil {
				return 0, err
			}
			sim.AddExampleApp(key)
			token, privateKey = "", pemText
		} else if *credential != "bad" {
			sim.AddCredential(*credential, token, credentials[*credential])
		}
		ca := filepath.Join(dir, "simulator-ca.pem")
		if err := os.WriteFile(ca, sim.CACertPEM(), 0o644); err != nil {
			return 0, err
		}
		*apiURL = sim.URL()
		step.Env["SSL_CERT_FILE"] = ca
		// A GHES-like host: the runner URL comes out on the simulator's host.
		step.Env["GITHUB_API_URL"] = sim.URL()
		step.Env["GITHUB_SERVER_URL"] = strings.TrimSuffix(sim.URL(), "/api/v3")
		if *app {
			fmt.Fprintf(w, "GitHub API simulator at %s (local HTTPS; the credential is GitHub App %d with a throwaway key, installed on octo-org)\n", sim.URL(), ghsim.ExampleAppID)
		} else {
			fmt.Fprintf(w, "GitHub API simulator at %s (local HTTPS; the credential is a made-up %s token)\n", sim.URL(), *credential)
		}
	} else {
		token = os.Getenv("RUNNER_ADMIN_TOKEN")
		for _, k := range []string{"SSL_CERT_FILE", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"} {
			if v, ok := os.LookupEnv(k); ok {
				step.Env[k] = v // as a workflow would pass them with env:
			}
		}
	}
	if *lifecycle {
		return runLifecycle(ctx, w, binary, dir, sim, step.Env, token, *debug)
	}
	for name, v := range map[string]string{
		"token": token, "repository": *repository, "organization": *organization,
		"enterprise": *enterprise, "kind": *kind, "api-url": *apiURL,
		"runner-name": *runnerName, "runner-id": *runnerID, "runner-platform": *platform,
	} {
		step.SetInput(name, v)
	}
	if *app {
		step.SetInput("app-id", strconv.Itoa(ghsim.ExampleAppID))
		step.SetInput("private-key", privateKey)
	}
	for name, v := range with.values {
		step.SetInput(name, v)
	}
	if *debug {
		step.Env["ACTIONS_STEP_DEBUG"] = "true"
	}

	code, _, err := runStep(ctx, w, binary, step, *debug, token, privateKey)
	return code, err
}

// runStep runs the action once as step, and prints what it was given, its
// log, the outputs it set and its summary.
func runStep(ctx context.Context, w io.Writer, binary string, step *runnertest.Step, debug bool, secrets ...string) (int, map[string]string, error) {
	fmt.Fprintln(w, "\nRunning the action as the runner runs its container, with:")
	printEnv(w, step.Env, secrets...)

	cmd := step.Command(ctx, binary)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	code := 0
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return 0, nil, err
		}
		code = ee.ExitCode()
	}

	section(w, "Log, as the job's log shows it")
	fmt.Fprint(w, runnertest.Render(stdout.String(), debug))

	outputs, err := step.Outputs()
	if err != nil {
		return 0, nil, err
	}
	masks := runnertest.Masks(stdout.String())
	section(w, "Outputs the step set (masked values shown as ***)")
	if len(outputs) == 0 {
		fmt.Fprintln(w, "(none)")
	}
	for _, name := range sortedKeys(outputs) {
		fmt.Fprintf(w, "steps.<id>.outputs.%s = %s\n", name, runnertest.Mask(outputs[name], masks))
	}
	if summary, _ := step.Summary(); summary != "" {
		section(w, "Step summary")
		fmt.Fprint(w, runnertest.Mask(summary, masks))
	}
	section(w, fmt.Sprintf("Exit code %d", code))
	return code, outputs, nil
}

func printEnv(w io.Writer, env map[string]string, secrets ...string) {
	for _, k := range sortedKeys(env) {
		if !strings.HasPrefix(k, "INPUT_") && k != "SSL_CERT_FILE" && k != "GITHUB_OUTPUT" && k != "GITHUB_API_URL" && k != "GITHUB_SERVER_URL" && k != "GITHUB_REPOSITORY" {
			continue
		}
		v := env[k]
		if v != "" && slices.Contains(secrets, v) {
			v = "***"
		}
		fmt.Fprintf(w, "  %s=%s\n", k, v)
	}
}

// usageErr is a command line the flags alone cannot refuse.
func usageErr(problem string) error {
	return fmt.Errorf("%s (see go run ./cmd/local -h)", problem)
}

// declaredInputs is the inputs action.yml declares.
func declaredInputs(ctx context.Context) (map[string]bool, error) {
	root, err := actionbin.ModuleRoot(ctx)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		return nil, err
	}
	var a struct {
		Inputs map[string]any `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("action.yml: %w", err)
	}
	out := map[string]bool{}
	for name := range a.Inputs {
		out[name] = true
	}
	return out, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func section(w io.Writer, title string) {
	fmt.Fprintf(w, "\n── %s ──\n", title)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
