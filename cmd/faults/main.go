// Command faults runs the action against the simulator with one fault at a
// time, on the real clock, and prints what happened as a markdown table:
// the fault, the outcome, the attempts at the runner credential and the
// time the step took.
//
//	go run ./cmd/faults
//
// It takes about a minute: the waits are real.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/runnertoken/runner-token-action/internal/action"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnerio"
)

const token = "ghp_faultsFaultsFaultsFaultsFaultsFau01"

// scenario is one fault and the inputs it runs with.
type scenario struct {
	fault  string
	inputs map[string]string
	// setup injects the fault; it returns nothing to leave the server be.
	setup func(s *ghsim.Server)
}

func scenarios() []scenario {
	onMint := func(s *ghsim.Server, faults ...ghsim.Fault) {
		var n atomic.Int32
		s.Wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "-token") || strings.HasSuffix(r.URL.Path, "/generate-jitconfig") {
					if i := int(n.Add(1)) - 1; i < len(faults) && faults[i] != nil && faults[i](w, r) {
						return
					}
				}
				next.ServeHTTP(w, r)
			})
		})
	}
	repeat := func(n int, f ghsim.Fault) []ghsim.Fault {
		fs := make([]ghsim.Fault, n)
		for i := range fs {
			fs[i] = f
		}
		return fs
	}
	return []scenario{
		{fault: "none", setup: func(*ghsim.Server) {}},
		{fault: "502, then 503, then success", setup: func(s *ghsim.Server) {
			onMint(s, s.Status(502, "Server Error"), s.Status(503, "Service Unavailable"))
		}},
		{fault: "500 every time", setup: func(s *ghsim.Server) { onMint(s, repeat(9, s.Status(500, "Server Error"))...) }},
		{fault: "501 Not Implemented", setup: func(s *ghsim.Server) { onMint(s, s.Status(501, "Not Implemented")) }},
		{fault: "429 with Retry-After: 2", setup: func(s *ghsim.Server) { onMint(s, s.Status(429, "Too many requests", "Retry-After: 2")) }},
		{fault: "secondary rate limit (403) with Retry-After: 3", setup: func(s *ghsim.Server) { onMint(s, s.SecondaryRateLimit("3")) }},
		{fault: "primary rate limit, resets in 4 s", setup: func(s *ghsim.Server) {
			onMint(s, s.PrimaryRateLimit(time.Now().Add(4*time.Second)))
		}},
		{fault: "primary rate limit, resets in 1 h (timeout 2m)", setup: func(s *ghsim.Server) {
			onMint(s, s.PrimaryRateLimit(time.Now().Add(time.Hour)))
		}},
		{fault: "connection reset, then success", setup: func(s *ghsim.Server) { onMint(s, ghsim.ResetConnection()) }},
		{fault: "server never answers (timeout 10s)", inputs: map[string]string{"timeout": "10s"},
			setup: func(s *ghsim.Server) { onMint(s, repeat(9, ghsim.Hang())...) }},
		{fault: "answer stops mid-body (timeout 10s)", inputs: map[string]string{"timeout": "10s"},
			setup: func(s *ghsim.Server) { onMint(s, repeat(9, ghsim.StallBody())...) }},
		{fault: "4 MiB answer", setup: func(s *ghsim.Server) { onMint(s, ghsim.HugeBody(4<<20)) }},
		{fault: "401 Bad credentials", setup: func(s *ghsim.Server) { onMint(s, s.Status(401, "Bad credentials")) }},
		{fault: "403 without permission", setup: func(s *ghsim.Server) {
			onMint(s, s.Status(403, "Resource not accessible by personal access token"))
		}},
		{fault: "kind jit: runner registered, answer lost", inputs: map[string]string{"kind": "jit"},
			setup: func(s *ghsim.Server) { s.FailJIT(ghsim.LoseResponse) }},
		{fault: "kind jit: 502 after registering", inputs: map[string]string{"kind": "jit"},
			setup: func(s *ghsim.Server) { s.FailJIT(ghsim.ServerErrorAfterCreate) }},
	}
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	fmt.Fprintf(w, "%s, %s, real clock, against the local simulator\n\n", time.Now().UTC().Format("2006-01-02"), "default policy (5 tries, backoff 1s doubling, 30s per try)")
	fmt.Fprintln(w, "| fault | outcome | attempts | time |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, sc := range scenarios() {
		outcome, attempts, took, err := try(sc)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.fault, err)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s |\n", sc.fault, outcome, attempts, took.Round(100*time.Millisecond))
	}
	return nil
}

// try runs the action once with sc's fault and reports what happened.
func try(sc scenario) (string, int, time.Duration, error) {
	sim, err := ghsim.New("/api/v3")
	if err != nil {
		return "", 0, 0, err
	}
	defer sim.Close()
	sim.AddExampleTargets()
	sim.AddCredential("admin", token, ghsim.Credential{Admin: []string{"octo-org/app", "octo-org"}})
	sc.setup(sim)

	dir, err := os.MkdirTemp("", "faults")
	if err != nil {
		return "", 0, 0, err
	}
	defer os.RemoveAll(dir)
	step, err := runnerio.NewStep(filepath.Join(dir, "step"))
	if err != nil {
		return "", 0, 0, err
	}
	inputs := map[string]string{"token": token, "api-url": sim.URL(), "organization": "octo-org"}
	for k, v := range sc.inputs {
		inputs[k] = v
	}
	for k, v := range inputs {
		step.SetInput(k, v)
	}

	var stdout strings.Builder
	start := time.Now()
	code := action.Main(context.Background(), action.Env{
		Getenv:     func(k string) string { return step.Env[k] },
		Stdout:     &stdout,
		HTTPClient: sim.Client(),
	})
	took := time.Since(start)

	attempts := 0
	for _, r := range sim.Requests() {
		if r.Method == http.MethodPost && (strings.HasSuffix(r.Path, "-token") || strings.HasSuffix(r.Path, "/generate-jitconfig")) {
			attempts++
		}
	}
	if code == 0 {
		outs, err := step.Outputs()
		if err != nil {
			return "", 0, 0, err
		}
		what := "token"
		if _, ok := outs["jit-config"]; ok {
			what = "JIT config"
		}
		return "minted: " + what + " set", attempts, took, nil
	}
	for _, c := range runnerio.ParseLog(stdout.String()) {
		if c.Name == "error" {
			return "failed: " + summarize(c.Message), attempts, took, nil
		}
	}
	return "failed without an error annotation", attempts, took, nil
}

// summarize keeps the part of an error that says what happened.
func summarize(msg string) string {
	msg = strings.ReplaceAll(msg, "|", `\|`)
	for _, key := range []string{"GitHub answered ", "could not reach", "the step's timeout", "the API's answer"} {
		if i := strings.Index(msg, key); i >= 0 {
			msg = msg[i:]
			break
		}
	}
	if i := strings.Index(msg, " [request ID"); i >= 0 {
		if j := strings.Index(msg[i:], "]"); j >= 0 {
			msg = msg[:i] + msg[i+j+1:]
		}
	}
	if r := []rune(msg); len(r) > 150 {
		msg = string(r[:150]) + "…"
	}
	return msg
}
