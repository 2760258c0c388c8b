// Command burst measures a burst: many runs of the built action started at
// once with one credential, as an autoscaler or a large matrix starts its
// provisioning jobs, against the local simulator playing GitHub's secondary
// rate limit (a token bucket of points per credential holding one second's
// worth; over it, 403 with Retry-After). It reports how many runs got their
// token, how long the whole burst took against the ideal (jobs ÷ rate),
// the API requests per run and the p50/p95 run times:
//
//	go run ./cmd/burst -jobs 250 -rate 5 -retry-after 1
//	go run ./cmd/burst -jobs 100 -rate 3 -retry-after 60 -baseline d93993c   # and the policy at a revision, side by side
//
// -rate is in POSTs a second (each costs 5 of GitHub's points: its 900
// points a minute are 3 a second). Each run is a separate process with
// its own step directory and the action's timeout input (-timeout, 2m by
// default); runs with -baseline come first, then the action as built here,
// never both at once. The whole command stops after -max-time, killing
// what still runs.
//
// The runs share the machine's CPUs with the simulator, and with anything
// else running: on a busy machine, read the counts rather than the times.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/runnertoken/runner-token-action/internal/actionbin"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
	"github.com/runnertoken/runner-token-action/internal/toolcli"
)

func main() {
	s, code, ok := parse(os.Args[1:], os.Stdout, os.Stderr)
	if !ok {
		os.Exit(code)
	}
	if err := run(context.Background(), s, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "burst:", err)
		os.Exit(1)
	}
}

// token is the one credential every run shares: made up, accepted only by
// the simulator.
const token = "ghp_burstBurstBurstBurstBurstBurstBu01"

// settings are the flags, checked.
type settings struct {
	jobs       int
	rate       float64 // POSTs a second
	retryAfter time.Duration
	timeout    string // the action's timeout input
	baseline   string
	maxTime    time.Duration
}

// Bounds that keep a burst from swamping the machine or running long.
const (
	maxJobs    = 1000
	maxMaxTime = 30 * time.Minute
)

// usage is what -h prints before the flags.
const usage = `Usage: go run ./cmd/burst [flags]

Starts many runs of the built action at once with one credential against
the local simulator playing GitHub's secondary rate limit, and reports how
many got their token, the makespan against the ideal, requests per run and
p50/p95; see the README's "Many jobs at once".

Flags:
`

// parse reads the command line as every tool here does (internal/toolcli),
// then checks the settings: ok false means exit with code, having said why.
func parse(args []string, stdout, stderr io.Writer) (s settings, code int, ok bool) {
	fs := flag.NewFlagSet("burst", flag.ContinueOnError)
	fs.IntVar(&s.jobs, "jobs", 100, fmt.Sprintf("runs started at once, 1 to %d", maxJobs))
	fs.Float64Var(&s.rate, "rate", 5, "the credential's budget, in `POSTs` a second (5 points each; GitHub's 900 points a minute are 3 a second)")
	retryAfter := fs.Int("retry-after", 1, "the Retry-After of a refusal, in `seconds` (GitHub's is commonly 60)")
	fs.StringVar(&s.timeout, "timeout", "2m", "the action's timeout input")
	fs.StringVar(&s.baseline, "baseline", "", "also run the action as built at this git `revision`, side by side")
	fs.DurationVar(&s.maxTime, "max-time", 10*time.Minute, "stop everything after this long, at most 30m")
	if code, ok := toolcli.Parse(fs, usage, args, stdout, stderr); !ok {
		return s, code, false
	}
	s.retryAfter = time.Duration(*retryAfter) * time.Second
	var problems []string
	if s.jobs < 1 || s.jobs > maxJobs {
		problems = append(problems, fmt.Sprintf("-jobs %d: give 1 to %d", s.jobs, maxJobs))
	}
	if s.rate <= 0 || s.rate*60*5 < 1 {
		problems = append(problems, fmt.Sprintf("-rate %v: give a positive number of POSTs a second", s.rate))
	}
	if *retryAfter < 1 || *retryAfter > 3600 {
		problems = append(problems, fmt.Sprintf("-retry-after %d: give 1 to 3600 seconds", *retryAfter))
	}
	if s.maxTime <= 0 || s.maxTime > maxMaxTime {
		problems = append(problems, fmt.Sprintf("-max-time %s: give up to %s", s.maxTime, maxMaxTime))
	}
	if len(problems) > 0 {
		fmt.Fprintln(stderr, "burst:", strings.Join(problems, "; "))
		return s, 2, false
	}
	return s, 0, true
}

// ideal is how long the burst takes at best: jobs ÷ rate.
func (s settings) ideal() time.Duration {
	return time.Duration(float64(s.jobs) / s.rate * float64(time.Second))
}

func run(ctx context.Context, s settings, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, s.maxTime)
	defer cancel()
	dir, err := os.MkdirTemp("", "runner-token-burst")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	type subject struct{ name, binary string }
	var subjects []subject
	if s.baseline != "" {
		before, err := actionbin.BuildAt(ctx, dir, s.baseline)
		if err != nil {
			return err
		}
		subjects = append(subjects, subject{"action at " + s.baseline, before})
	}
	here := filepath.Join(dir, "here")
	if err := os.Mkdir(here, 0o755); err != nil {
		return err
	}
	binary, err := actionbin.Build(ctx, here)
	if err != nil {
		return err
	}
	subjects = append(subjects, subject{"action (this tree)", binary})

	fmt.Fprintf(w, "%s, %s/%s, %d CPUs (shared: times are noisy), %d runs at once, budget %v POSTs/s (a token bucket of one second's worth), Retry-After %s, timeout %s\n\n",
		time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), s.jobs, s.rate, s.retryAfter, s.timeout)
	var results []result
	for i, sub := range subjects {
		r, err := burst(ctx, s, filepath.Join(dir, fmt.Sprint("burst", i)), sub.binary)
		if err != nil {
			return fmt.Errorf("%s: %w", sub.name, err)
		}
		r.name = sub.name
		results = append(results, r)
	}
	report(w, s, results)
	return nil
}

// result is what one burst did.
type result struct {
	name      string
	times     []time.Duration // of each run, from its start to its exit
	succeeded int
	span      time.Duration // from the first start to the last exit
	requests  int
	limited   int    // requests refused by the secondary limit
	failure   string // one failed run's error, if any
}

// burst starts s.jobs runs of binary at once against a simulator of its
// own, and waits for them all.
func burst(ctx context.Context, s settings, dir, binary string) (result, error) {
	sim, err := ghsim.New("/api/v3")
	if err != nil {
		return result{}, err
	}
	defer sim.Close()
	sim.AddRepository("octo-org/app")
	sim.AddCredential("fleet", token, ghsim.Credential{Admin: []string{"octo-org/app"}})
	sim.LimitSecondary(ghsim.SecondaryLimit{PointsPerMinute: int(s.rate * 60 * 5), RetryAfter: s.retryAfter})

	ca, certDir := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "no-certs")
	if err := os.MkdirAll(certDir, 0o755); err != nil {
		return result{}, err
	}
	if err := os.WriteFile(ca, sim.CACertPEM(), 0o644); err != nil {
		return result{}, err
	}
	type job struct {
		step   *runnertest.Step
		cmd    *exec.Cmd
		stdout bytes.Buffer
	}
	jobs := make([]*job, s.jobs)
	for i := range jobs {
		stepDir := filepath.Join(dir, fmt.Sprint("job", i))
		if err := os.Mkdir(stepDir, 0o755); err != nil {
			return result{}, err
		}
		step, err := runnertest.NewStep(stepDir)
		if err != nil {
			return result{}, err
		}
		for name, v := range map[string]string{"repository": "", "organization": "", "enterprise": "",
			"token": token, "api-url": sim.URL(), "kind": "registration", "timeout": s.timeout} {
			step.SetInput(name, v)
		}
		step.Env["SSL_CERT_FILE"], step.Env["SSL_CERT_DIR"] = ca, certDir
		j := &job{step: step, cmd: step.Command(ctx, binary)}
		j.cmd.Stdout = &j.stdout
		jobs[i] = j
	}

	r := result{times: make([]time.Duration, s.jobs)}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		lastEnd time.Time
	)
	first := time.Now()
	for i, j := range jobs {
		started := time.Now()
		if err := j.cmd.Start(); err != nil {
			return result{}, err
		}
		wg.Go(func() {
			err := j.cmd.Wait()
			end := time.Now()
			out, outErr := j.step.Outputs()
			ok := err == nil && outErr == nil && out["token"] != ""
			mu.Lock()
			defer mu.Unlock()
			r.times[i] = end.Sub(started)
			lastEnd = later(lastEnd, end)
			if ok {
				r.succeeded++
			} else if r.failure == "" {
				r.failure = errorLine(j.stdout.String())
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return result{}, fmt.Errorf("stopped after -max-time: %w", err)
	}
	r.span = lastEnd.Sub(first)
	r.requests = len(sim.Requests())
	r.limited = sim.SecondaryLimited()
	return r, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// errorLine is the first ::error:: line of a run's output, the message a
// user sees, shortened; never anything else the run printed.
func errorLine(stdout string) string {
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l, ok := strings.CutPrefix(sc.Text(), "::error"); ok {
			if _, msg, ok := strings.Cut(l, "::"); ok {
				l = msg
			}
			if len(l) > 400 {
				l = l[:400] + "…"
			}
			return l
		}
	}
	return "(no ::error:: line)"
}

func report(w io.Writer, s settings, results []result) {
	fmt.Fprintln(w, "| policy | succeeded | all done after | ideal (jobs ÷ budget) | requests per job | p50 job | p95 job | refused (403) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		fmt.Fprintf(w, "| %s | %d of %d | %s | %s | %.1f | %s | %s | %d |\n", r.name, r.succeeded, len(r.times), secs(r.span), secs(s.ideal()),
			float64(r.requests)/float64(len(r.times)), secs(pct(r.times, 50)), secs(pct(r.times, 95)), r.limited)
	}
	for _, r := range results {
		if r.failure != "" {
			fmt.Fprintf(w, "\n%s, one failed run: %s\n", r.name, r.failure)
		}
	}
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
