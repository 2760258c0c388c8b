// Command faults runs the action against the simulator with one fault at a
// time, on the real clock, and prints what happened as a markdown table:
// the fault, the outcome, the attempts at the runner credential (or at the
// removal, for kind delete-runner), the time the step took, and what is
// left on the server that nobody was handed.
//
//	go run ./cmd/faults
//
// It takes about two minutes: the waits are real. -h prints the usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/runnertoken/runner-token-action/internal/action"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
	"github.com/runnertoken/runner-token-action/internal/toolcli"
)

const token = "ghp_faultsFaultsFaultsFaultsFaultsFau01"

// scenario is one fault and the inputs it runs with.
type scenario struct {
	fault  string
	inputs map[string]string
	// setup injects the fault; it returns nothing to leave the server be.
	setup func(s *ghsim.Server)
	// client, if set, is the HTTP client the action uses instead of one
	// that trusts the simulator.
	client func(s *ghsim.Server) (*http.Client, func(), error)
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
		{fault: "secondary rate limit 5 times in a row (Retry-After: 1)", setup: func(s *ghsim.Server) {
			onMint(s, repeat(5, s.SecondaryRateLimit("1"))...)
		}},
		{fault: "a success with X-RateLimit-Remaining: 0 (reset in 1 h), then the next request", inputs: map[string]string{"kind": "jit"},
			setup: func(s *ghsim.Server) { s.Inject(s.ExhaustRateLimit(time.Now().Add(time.Hour))) }},
		{fault: "422 with 3000 error details", setup: func(s *ghsim.Server) { onMint(s, s.ValidationFailed(3000)) }},
		{fault: "expires_at in lower case (RFC 3339 allows it)", setup: func(s *ghsim.Server) {
			onMint(s, s.Tamper(func(a map[string]any) { a["expires_at"] = "2026-11-25t15:04:05z" }))
		}},
		{fault: "proxy answers 407", client: proxyRefusing},
		{fault: "kind jit: 502 after registering, then 422", inputs: map[string]string{"kind": "jit"}, setup: func(s *ghsim.Server) {
			s.FailJIT(ghsim.ServerErrorAfterCreate)
			onMint(s, nil, s.ValidationFailed(1))
		}},
		{fault: "kind jit: runner registered, answer not JSON", inputs: map[string]string{"kind": "jit"},
			setup: func(s *ghsim.Server) { s.FailJIT(ghsim.GarbageAfterCreate) }},
		{fault: "kind jit: runner registered, answer not JSON, clean-up rate limited for 50 min", inputs: map[string]string{"kind": "jit"},
			setup: func(s *ghsim.Server) {
				s.FailJIT(ghsim.GarbageAfterCreate)
				limit := s.PrimaryRateLimit(time.Now().Add(50 * time.Minute))
				s.Wrap(func(next http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if r.Method == http.MethodDelete && limit(w, r) {
							return
						}
						next.ServeHTTP(w, r)
					})
				})
			}},
		{fault: "kind jit, runner-name given: runner registered, answer lost", inputs: map[string]string{"kind": "jit", "runner-name": "build-7"},
			setup: func(s *ghsim.Server) { s.FailJIT(ghsim.LoseResponse) }},
		{fault: "kind jit, runner-name given: another job takes the name mid-flight", inputs: map[string]string{"kind": "jit", "runner-name": "build-7"},
			setup: func(s *ghsim.Server) {
				var once atomic.Bool
				other := s.Status(502, "Server Error")
				onMint(s, func(w http.ResponseWriter, r *http.Request) bool {
					if once.CompareAndSwap(false, true) {
						s.AddRunner("orgs/octo-org", ghsim.Runner{Name: "build-7", Labels: []string{"self-hosted"}, GroupID: 1})
					}
					return other(w, r)
				})
			}},
		{fault: "GitHub App: installation token's expires_at unreadable", inputs: map[string]string{"app": "yes"}, setup: func(s *ghsim.Server) {
			s.Inject(nil, s.Tamper(func(a map[string]any) { a["expires_at"] = "in an hour" }))
		}},
		{fault: "GitHub App: 502 on the runner token", inputs: map[string]string{"app": "yes"}, setup: func(s *ghsim.Server) {
			onMint(s, repeat(9, s.Status(502, "Server Error"))...)
		}},
		{fault: "kind delete-runner: runner removed, answer lost (502)", inputs: deleteVM, setup: func(s *ghsim.Server) {
			addVM(s)
			s.Inject(nil, s.AppliedThen(s.Status(502, "Server Error")))
		}},
		{fault: "kind delete-runner: 502 on every removal", inputs: deleteVM, setup: func(s *ghsim.Server) {
			addVM(s)
			s.Inject(append([]ghsim.Fault{nil}, repeat(9, s.Status(502, "Server Error"))...)...)
		}},
		{fault: "kind delete-runner: the runner took a job since the look-up (422)", inputs: deleteVM, setup: func(s *ghsim.Server) {
			addVM(s)
			s.Inject(nil, s.Status(422, `Bad request - Runner "vm-7" is still running a job`))
		}},
	}
}

// deleteVM removes vm-7, which addVM registers, offline and idle.
var deleteVM = map[string]string{"kind": "delete-runner", "runner-name": "vm-7"}

func addVM(s *ghsim.Server) {
	s.AddRunner("orgs/octo-org", ghsim.Runner{Name: "vm-7", Status: "offline", Labels: []string{"self-hosted"}})
}

// proxyRefusing is the action's own client, trusting the simulator, behind
// a proxy that refuses every request with 407.
func proxyRefusing(s *ghsim.Server) (*http.Client, func(), error) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	u, err := url.Parse(proxy.URL)
	if err != nil {
		proxy.Close()
		return nil, nil, err
	}
	hc, err := githubapi.DefaultHTTPClient()
	if err != nil {
		proxy.Close()
		return nil, nil, err
	}
	t := hc.Transport.(*http.Transport)
	t.Proxy = http.ProxyURL(u)
	t.TLSClientConfig = s.Client().Transport.(*http.Transport).TLSClientConfig
	return hc, proxy.Close, nil
}

func main() {
	if code, ok := toolcli.Parse(flag.NewFlagSet("faults", flag.ContinueOnError), usage, os.Args[1:], os.Stdout, os.Stderr); !ok {
		os.Exit(code)
	}
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
}

// usage: the tool has no settings; -h prints this and exits 0 rather than
// starting the two-minute table.
const usage = `Usage: go run ./cmd/faults

Runs the action against the local simulator with one fault at a time, on
the real clock, and prints the outcomes as a markdown table (the README's
fault table). It takes about two minutes: the waits are real. It has no
flags.
`

func run(w io.Writer) error {
	fmt.Fprintf(w, "%s, %s, real clock, against the local simulator\n\n", time.Now().UTC().Format("2006-01-02"), "default policy (5 tries, backoff 1s doubling, 30s per try)")
	fmt.Fprintln(w, "| fault | outcome | attempts | time | left behind |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, sc := range scenarios() {
		r, err := try(sc)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.fault, err)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s |\n", sc.fault, r.outcome, r.attempts, r.took.Round(100*time.Millisecond), r.left)
	}
	return nil
}

// result is what one run did, as the table shows it.
type result struct {
	outcome  string
	attempts int // at the runner credential
	took     time.Duration
	// left is what the run left on the server that nobody was handed:
	// runners registered without their config in an output, and
	// installation tokens not revoked.
	left string
}

// try runs the action once with sc's fault and reports what happened.
func try(sc scenario) (result, error) {
	sim, err := ghsim.New("/api/v3")
	if err != nil {
		return result{}, err
	}
	defer sim.Close()
	sim.AddExampleTargets()
	sim.AddCredential("admin", token, ghsim.Credential{Admin: []string{"octo-org/app", "octo-org"}})
	inputs := map[string]string{"token": token, "api-url": sim.URL(), "organization": "octo-org"}
	if sc.inputs["app"] != "" {
		key, pemKey, err := ghsim.NewAppKey()
		if err != nil {
			return result{}, err
		}
		sim.AddExampleApp(key)
		inputs["token"], inputs["app-id"], inputs["private-key"] = "", ghsim.ExampleClientID, pemKey
	}
	if sc.setup != nil {
		sc.setup(sim)
	}
	hc := sim.Client()
	if sc.client != nil {
		var done func()
		if hc, done, err = sc.client(sim); err != nil {
			return result{}, err
		}
		defer done()
	}

	dir, err := os.MkdirTemp("", "faults")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	step, err := runnertest.NewStep(filepath.Join(dir, "step"))
	if err != nil {
		return result{}, err
	}
	for k, v := range sc.inputs {
		if k != "app" {
			inputs[k] = v
		}
	}
	for k, v := range inputs {
		step.SetInput(k, v)
	}

	var stdout strings.Builder
	start := time.Now()
	code := action.Main(context.Background(), action.Env{
		Getenv:     func(k string) string { return step.Env[k] },
		Stdout:     &stdout,
		HTTPClient: hc,
	})
	r := result{took: time.Since(start)}
	for _, req := range sim.Requests() {
		if req.Method == http.MethodPost && (strings.HasSuffix(req.Path, "-token") || strings.HasSuffix(req.Path, "/generate-jitconfig")) ||
			sc.inputs["kind"] == "delete-runner" && req.Method == http.MethodDelete {
			r.attempts++
		}
	}
	var outs map[string]string
	if code == 0 {
		if outs, err = step.Outputs(); err != nil {
			return result{}, err
		}
		what := "token"
		if _, ok := outs["jit-config"]; ok {
			what = "JIT config"
		}
		r.outcome = "minted: " + what + " set"
		if d, ok := outs["deleted"]; ok {
			r.outcome = "succeeded: deleted=" + d
		}
	} else {
		r.outcome = "failed without an error annotation"
		for _, c := range runnertest.ParseLog(stdout.String()) {
			if c.Name == "error" {
				r.outcome = fmt.Sprintf("failed (%d bytes): %s", len(c.Message), summarize(c.Message))
				break
			}
		}
	}
	handedOn := ""
	if _, ok := outs["jit-config"]; ok {
		handedOn = outs["runner-id"]
	}
	r.left = leftBehind(sim, handedOn)
	return r, nil
}

// leftBehind lists what the simulator still holds that no output handed
// on: registered runners other than the one in runner-id, and installation
// tokens not revoked.
func leftBehind(sim *ghsim.Server, handedOn string) string {
	var left []string
	for _, r := range sim.Runners("orgs/octo-org") {
		if fmt.Sprint(r.ID) != handedOn {
			left = append(left, fmt.Sprintf("runner %d", r.ID))
		}
	}
	for _, t := range sim.AppTokens() {
		if !t.Revoked {
			left = append(left, "an installation token")
		}
	}
	if len(left) == 0 {
		return "nothing"
	}
	return strings.Join(left, ", ")
}

// summarize keeps the part of an error that says what happened.
func summarize(msg string) string {
	msg = strings.ReplaceAll(msg, "|", `\|`)
	for _, key := range []string{"GitHub answered ", "could not reach", "the step's timeout", "the API's answer", "the proxy", "runner name", "GitHub's answer"} {
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
