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
	"sort"
	"strings"
	"syscall"

	"github.com/runnertoken/runner-token-action/internal/actionbin"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code, err := run(ctx, os.Args[1:], os.Stdout)
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

func run(ctx context.Context, args []string, w io.Writer) (int, error) {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	var (
		repository   = fs.String("repository", "", "input repository (owner/name); default: the simulated workflow's octo-org/app")
		organization = fs.String("organization", "", "input organization")
		enterprise   = fs.String("enterprise", "", "input enterprise")
		kind         = fs.String("kind", "registration", "input kind: registration, remove, jit or delete-runner")
		runnerName   = fs.String("runner-name", "", "input runner-name (kinds jit and delete-runner; the simulator has an offline runner named "+demoRunner+" in each target)")
		runnerID     = fs.String("runner-id", "", "input runner-id (kind delete-runner)")
		platform     = fs.String("runner-platform", "", "input runner-platform, e.g. linux-x64")
		apiURL       = fs.String("api-url", "", "a real GitHub API URL; the credential comes from $RUNNER_ADMIN_TOKEN. Default: the local simulator")
		credential   = fs.String("credential", "admin", "with the simulator: admin, fine-grained, github-token or bad")
		debug        = fs.Bool("debug", false, "show debug lines, as ACTIONS_STEP_DEBUG does")
	)
	if err := fs.Parse(args); err != nil {
		return 0, err
	}
	live := *apiURL != ""
	if live && os.Getenv("RUNNER_ADMIN_TOKEN") == "" {
		return 0, errors.New("-api-url talks to a real GitHub: put the credential in RUNNER_ADMIN_TOKEN")
	}
	if live && *repository == "" && *organization == "" && *enterprise == "" {
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

	binary, err := actionbin.Build(ctx, dir)
	if err != nil {
		return 0, err
	}
	step, err := runnertest.NewStep(dir)
	if err != nil {
		return 0, err
	}

	var token string
	if !live {
		sim, err := ghsim.New("/api/v3")
		if err != nil {
			return 0, err
		}
		defer sim.Close()
		sim.AddExampleTargets()
		for _, t := range []string{"repos/octo-org/app", "orgs/octo-org", "enterprises/octo-ent"} {
			sim.AddRunner(t, ghsim.Runner{Name: demoRunner, Status: "offline", Labels: []string{"self-hosted"}})
		}
		token = "ghp_" + randomHex(18)
		if *credential != "bad" {
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
		fmt.Fprintf(w, "GitHub API simulator at %s (local HTTPS; the credential is a made-up %s token)\n", sim.URL(), *credential)
	} else {
		token = os.Getenv("RUNNER_ADMIN_TOKEN")
		for _, k := range []string{"SSL_CERT_FILE", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"} {
			if v, ok := os.LookupEnv(k); ok {
				step.Env[k] = v // as a workflow would pass them with env:
			}
		}
	}
	for name, v := range map[string]string{
		"token": token, "repository": *repository, "organization": *organization,
		"enterprise": *enterprise, "kind": *kind, "api-url": *apiURL,
		"runner-name": *runnerName, "runner-id": *runnerID, "runner-platform": *platform,
	} {
		step.SetInput(name, v)
	}
	if *debug {
		step.Env["ACTIONS_STEP_DEBUG"] = "true"
	}

	fmt.Fprintln(w, "\nRunning the action as the runner runs its container, with:")
	printEnv(w, step.Env, token)

	cmd := step.Command(ctx, binary)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	code := 0
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return 0, err
		}
		code = ee.ExitCode()
	}

	section(w, "Log, as the job's log shows it")
	fmt.Fprint(w, runnertest.Render(stdout.String(), *debug))

	outputs, err := step.Outputs()
	if err != nil {
		return 0, err
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
	return code, nil
}

func printEnv(w io.Writer, env map[string]string, token string) {
	for _, k := range sortedKeys(env) {
		if !strings.HasPrefix(k, "INPUT_") && k != "SSL_CERT_FILE" && k != "GITHUB_OUTPUT" && k != "GITHUB_API_URL" && k != "GITHUB_SERVER_URL" && k != "GITHUB_REPOSITORY" {
			continue
		}
		v := env[k]
		if v != "" && v == token {
			v = "***"
		}
		fmt.Fprintf(w, "  %s=%s\n", k, v)
	}
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
