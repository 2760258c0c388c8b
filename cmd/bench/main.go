// Command bench measures the action against a bare curl making the same
// requests, side by side in one run against the local simulator, for every
// kind (registration; jit with a runner group by name; a GitHub App;
// delete-runner by name): time from process start to exit (the outputs are
// written before exit), the API requests each run makes, and the stripped
// binary's size.
//
//	go run ./cmd/bench                  # 40 rounds, plus a cold build
//	go run ./cmd/bench -rounds 100 -cold-build=false
//	go run ./cmd/bench -baseline v1.0.0   # and the action at a revision, side by side
//
// It also reports the stripped binary's size, the image's size estimated from
// its layers (no Docker engine needed), the time a cold build takes from empty
// Go caches (what a job pays when it builds the Dockerfile), and, where the gh
// CLI is installed, `gh api` making the same request.
//
// Rounds rotate which command goes first, so none gets a warmer cache.
// Machines here are noisy: read the medians and their ratio, not single runs.
//
// Both commands always trust the same certificates, in two scenarios:
//   - minimal: only the simulator's CA (curl --cacert CA; the action with
//     SSL_CERT_FILE=CA and an empty SSL_CERT_DIR);
//   - as in the image: the system CA bundle plus the simulator's CA, which is
//     what a real run verifies against (curl --cacert BUNDLE; the action with
//     SSL_CERT_FILE=BUNDLE and SSL_CERT_DIR laid out as the image's
//     /etc/ssl/certs, which holds that one bundle, so Go reads it twice just
//     as it does in the container).
//
// Without this, the action would also scan this host's /etc/ssl/certs (often
// hundreds of files the image does not have) while curl read one certificate.
package main

import (
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/runnertoken/runner-token-action/internal/actionbin"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
	"github.com/runnertoken/runner-token-action/internal/toolcli"
)

const (
	maxRatio     = 0.7 // of a bare curl making the same requests, for every kind
	maxBinaryMiB = 8
	maxImageMiB  = 12
	// baseImageMiB is gcr.io/distroless/static-debian12, "around 2 MiB" by
	// the distroless project's README; the image adds one layer, the binary.
	baseImageMiB = 2.0
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout)
	var u exitCode
	switch {
	case errors.As(err, &u):
		os.Exit(int(u)) // -h, or a command line it cannot read: the usage is printed
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// exitCode ends the tool with that code, having said why.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit %d", int(c)) }

const usage = `Usage: go run ./cmd/bench [flags]

Measures the action against a bare curl making the same HTTPS requests to
the local simulator, for every kind, side by side; see the README's
Performance section.

Flags:
`

// subject is one command being measured.
type subject struct {
	name     string
	cmd      func(ctx context.Context) (*exec.Cmd, error)
	run      func(ctx context.Context) error // instead of cmd: several commands in sequence
	prepare  func() error                    // before each run, not measured
	check    func() error                    // after each run
	times    []time.Duration
	requests int
}

// scenario is one trust store that both commands use.
type scenario struct {
	name    string
	caFile  string // curl --cacert and the action's SSL_CERT_FILE
	certDir string // the action's SSL_CERT_DIR
}

const token = "ghp_benchBenchBenchBenchBenchBenchBen01"

func run(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	rounds := fs.Int("rounds", 40, "runs of each command in each scenario")
	coldBuild := fs.Bool("cold-build", true, "also time a build from empty Go caches (downloads modules)")
	baseline := fs.String("baseline", "", "also measure the action as built at this git revision, side by side")
	if code, ok := toolcli.Parse(fs, usage, args, w, os.Stderr); !ok {
		return exitCode(code)
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		return errors.New("curl is needed as the reference")
	}

	dir, err := os.MkdirTemp("", "runner-token-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	binary, err := actionbin.Build(ctx, dir)
	if err != nil {
		return err
	}
	st, err := os.Stat(binary)
	if err != nil {
		return err
	}

	sim, err := ghsim.New("/api/v3")
	if err != nil {
		return err
	}
	defer sim.Close()
	sim.AddRepository("octo-org/app")
	sim.AddCredential("admin", token, ghsim.Credential{Admin: []string{"octo-org/app", "octo-org"}})

	scenarios, err := trustStores(dir, sim.CACertPEM())
	if err != nil {
		return err
	}
	var before string // the baseline's binary
	if *baseline != "" {
		if before, err = actionbin.BuildAt(ctx, dir, *baseline); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "%s, %s/%s, %d CPUs, %d rounds per scenario (order rotating), local simulator over HTTPS\n",
		time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), *rounds)
	allMet := true
	for _, sc := range scenarios {
		action, reference, err := subjects(sc, dir, binary, curl, sim.URL())
		if err != nil {
			return err
		}
		others := []*subject{reference}
		if before != "" {
			b, _, err := subjects(sc, filepath.Join(dir, "baseline"), before, curl, sim.URL())
			if err != nil {
				return err
			}
			b.name = "action at " + *baseline
			others = append(others, b)
		}
		if gh := ghSubject(sc, dir, sim.URL()); gh != nil {
			others = append(others, gh)
		}
		if err := measureRounds(ctx, *rounds, sim, action, others...); err != nil {
			return err
		}
		allMet = report(w, sc, action, others...) && allMet
	}

	results, err := measureKinds(ctx, *rounds, dir, binary, curl, sim, scenarios)
	if err != nil {
		return err
	}
	allMet = reportKinds(w, results) && allMet
	platformMet, err := measurePlatform(ctx, w, *rounds, dir, binary, sim, scenarios[0])
	if err != nil {
		return err
	}
	allMet = platformMet && allMet
	size := float64(st.Size()) / (1 << 20)
	layer, err := gzipSize(binary)
	if err != nil {
		return err
	}
	image := baseImageMiB + size
	fmt.Fprintf(w, "\n- stripped binary: %.1f MiB (goal < %d MiB): %s\n", size, maxBinaryMiB, verdict(size < maxBinaryMiB))
	fmt.Fprintf(w, "- image, estimated from its layers: %.1f MiB = %.1f MiB distroless static + %.1f MiB binary; %.1f MiB to pull with the binary layer gzipped (goal < %d MiB): %s\n",
		image, baseImageMiB, size, baseImageMiB+float64(layer)/(1<<20), maxImageMiB, verdict(image < maxImageMiB))
	if *coldBuild {
		d, err := timeColdBuild(ctx, dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "- cold build (empty GOCACHE and GOMODCACHE, modules from the proxy, as in a fresh docker build): %.1f s\n", d.Seconds())
	}
	if !allMet || size >= maxBinaryMiB || image >= maxImageMiB {
		return errors.New("a goal is not met")
	}
	return nil
}

// ghSubject measures `gh api` making the same request, where gh is installed.
// gh treats any host but github.com as GHES, at https://HOST/api/v3.
func ghSubject(sc scenario, dir, apiURL string) *subject {
	gh, err := exec.LookPath("gh")
	if err != nil {
		return nil
	}
	host := strings.TrimSuffix(strings.TrimPrefix(apiURL, "https://"), "/api/v3")
	return &subject{
		name: "gh api (same request)",
		cmd: func(ctx context.Context) (*exec.Cmd, error) {
			c := exec.CommandContext(ctx, gh, "api", "-X", "POST", "--hostname", host, "repos/octo-org/app/actions/runners/registration-token")
			c.Env = []string{"HOME=" + dir, "GH_ENTERPRISE_TOKEN=" + token, "GH_HOST=" + host, "SSL_CERT_FILE=" + sc.caFile, "SSL_CERT_DIR=" + sc.certDir, "GH_NO_UPDATE_NOTIFIER=1", "GH_PROMPT_DISABLED=1"}
			c.Stdout = io.Discard
			return c, nil
		},
		check: func() error { return nil },
	}
}

// gzipSize is the binary's size as a gzipped layer, which is what is pulled.
func gzipSize(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var n countingWriter
	zw := gzip.NewWriter(&n)
	if _, err := io.Copy(zw, f); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int64(n), nil
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// timeColdBuild builds the action with empty Go caches, as a fresh image
// build does (the toolchain image's pull is not included).
func timeColdBuild(ctx context.Context, dir string) (time.Duration, error) {
	cold := filepath.Join(dir, "cold")
	for _, d := range []string{"gocache", "gomodcache", "out"} {
		if err := os.MkdirAll(filepath.Join(cold, d), 0o755); err != nil {
			return 0, err
		}
	}
	start := time.Now()
	_, err := actionbin.BuildWithEnv(ctx, filepath.Join(cold, "out"),
		"GOCACHE="+filepath.Join(cold, "gocache"),
		"GOMODCACHE="+filepath.Join(cold, "gomodcache"),
		"GOFLAGS=-modcacherw") // so that the temporary module cache can be removed
	return time.Since(start), err
}

// trustStores lays out the certificates of each scenario under dir.
func trustStores(dir string, simCA []byte) ([]scenario, error) {
	empty := filepath.Join(dir, "no-certs")
	if err := os.Mkdir(empty, 0o755); err != nil {
		return nil, err
	}
	ca := filepath.Join(dir, "simulator-ca.pem")
	if err := os.WriteFile(ca, simCA, 0o644); err != nil {
		return nil, err
	}
	out := []scenario{{"minimal trust store: the simulator's CA only", ca, empty}}

	// The bundle Go and Debian-based images use; distroless has the same file.
	system, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		return out, nil // no system bundle here: only the minimal scenario
	}
	image := filepath.Join(dir, "image-etc-ssl-certs")
	if err := os.Mkdir(image, 0o755); err != nil {
		return nil, err
	}
	bundle := filepath.Join(image, "ca-certificates.crt")
	if err := os.WriteFile(bundle, append(append([]byte{}, system...), simCA...), 0o644); err != nil {
		return nil, err
	}
	return append(out, scenario{"trust store as in the image: system CA bundle + the simulator's CA", bundle, image}), nil
}

// newStep is a step in dir with inputs (every target input declared and
// empty unless given), trusting sc's certificates.
func newStep(dir string, sc scenario, inputs map[string]string) (*runnertest.Step, error) {
	step, err := runnertest.NewStep(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"repository", "organization", "enterprise"} {
		step.SetInput(name, "")
	}
	for name, v := range inputs {
		step.SetInput(name, v)
	}
	step.Env["SSL_CERT_FILE"] = sc.caFile
	step.Env["SSL_CERT_DIR"] = sc.certDir
	return step, nil
}

func subjects(sc scenario, dir, binary, curl, apiURL string) (*subject, *subject, error) {
	step, err := newStep(filepath.Join(dir, "step"), sc, map[string]string{"token": token, "api-url": apiURL, "kind": "registration"})
	if err != nil {
		return nil, nil, err
	}

	action := &subject{
		name: "action (start → outputs written → exit)",
		cmd:  stepRun(step, binary),
		check: func() error {
			_, err := hasOutputs(step, "token", "expires-at", "runner-url")
			return err
		},
	}
	url := apiURL + "/repos/octo-org/app/actions/runners/registration-token"
	reference := &subject{
		name: "curl (same HTTPS POST, body discarded)",
		cmd: func(ctx context.Context) (*exec.Cmd, error) {
			c := exec.CommandContext(ctx, curl, "-sS", "--fail", "-o", os.DevNull, "--cacert", sc.caFile, "-X", "POST",
				"-H", "Authorization: Bearer "+token, "-H", "Accept: application/vnd.github+json", url)
			c.Env = []string{"HOME=" + dir}
			return c, nil
		},
		check: func() error { return nil },
	}
	return action, reference, nil
}

// stepRun runs binary as step's container, each time from an empty
// GITHUB_OUTPUT, as each step starts.
func stepRun(step *runnertest.Step, binary string) func(context.Context) (*exec.Cmd, error) {
	return func(ctx context.Context) (*exec.Cmd, error) {
		if err := os.WriteFile(step.Env["GITHUB_OUTPUT"], nil, 0o644); err != nil {
			return nil, err
		}
		c := step.Command(ctx, binary)
		c.Stdout = io.Discard
		return c, nil
	}
}

// hasOutputs reads step's outputs and checks that names are all set.
func hasOutputs(step *runnertest.Step, names ...string) (map[string]string, error) {
	out, err := step.Outputs()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if out[n] == "" {
			return nil, fmt.Errorf("the action did not set output %s", n)
		}
	}
	return out, nil
}

func measureRounds(ctx context.Context, rounds int, sim *ghsim.Server, action *subject, others ...*subject) error {
	all := append([]*subject{action}, others...)
	// One unmeasured warm-up each: page cache, the simulator's first TLS setup.
	for _, s := range all {
		if _, err := measure(ctx, s, sim); err != nil {
			return err
		}
		s.requests = 0
	}
	for i := 0; i < rounds; i++ {
		// Rotate the order each round so no command always goes first.
		order := append(append([]*subject(nil), all[i%len(all):]...), all[:i%len(all)]...)
		for _, s := range order {
			d, err := measure(ctx, s, sim)
			if err != nil {
				return err
			}
			s.times = append(s.times, d)
		}
	}
	return nil
}

func measure(ctx context.Context, s *subject, sim *ghsim.Server) (time.Duration, error) {
	if s.prepare != nil {
		if err := s.prepare(); err != nil {
			return 0, err
		}
	}
	before := len(sim.Requests())
	run := s.run
	if run == nil {
		cmd, err := s.cmd(ctx)
		if err != nil {
			return 0, err
		}
		run = func(context.Context) error { return cmd.Run() }
	}
	start := time.Now()
	if err := run(ctx); err != nil {
		return 0, fmt.Errorf("%s: %w", s.name, err)
	}
	d := time.Since(start)
	if err := s.check(); err != nil {
		return 0, fmt.Errorf("%s: %w", s.name, err)
	}
	s.requests += len(sim.Requests()) - before
	return d, nil
}

func report(w io.Writer, sc scenario, action *subject, others ...*subject) bool {
	ref := others[0] // curl
	ratio := float64(median(action.times)) / float64(median(ref.times))
	perRun := float64(action.requests) / float64(len(action.times))
	fmt.Fprintf(w, "\n%s\n\n", sc.name)
	fmt.Fprintln(w, "| command | median | p10 | p90 | API requests per run |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, s := range append([]*subject{action}, others...) {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.0f |\n", s.name, ms(median(s.times)), ms(pct(s.times, 10)), ms(pct(s.times, 90)), float64(s.requests)/float64(len(s.times)))
	}
	fmt.Fprintf(w, "\n- ratio of medians, action / curl: %.2fx (goal ≤ %.1fx): %s\n", ratio, maxRatio, verdict(ratio <= maxRatio))
	for _, o := range others[1:] {
		if strings.HasPrefix(o.name, "action at ") {
			fmt.Fprintf(w, "- ratio of medians, action / %s: %.2fx\n", o.name, float64(median(action.times))/float64(median(o.times)))
		}
	}
	fmt.Fprintf(w, "- API requests per action run: %.0f (goal 1): %s\n", perRun, verdict(action.requests == len(action.times)))
	return ratio <= maxRatio && action.requests == len(action.times)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

func median(d []time.Duration) time.Duration { return pct(d, 50) }

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(d.Microseconds())/1000), ".0") + " ms"
}
