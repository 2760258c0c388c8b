package action

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// TestJITUndoneWhenOutputsFail: a runner whose config cannot be handed to
// the workflow is removed before the step ends, with a token or an App
// (whose token is revoked after, not before, the removal).
func TestJITUndoneWhenOutputsFail(t *testing.T) {
	t.Parallel()
	for _, app := range []bool{false, true} {
		t.Run(fmt.Sprintf("app=%v", app), func(t *testing.T) {
			t.Parallel()
			h := jitHarness(t, nil)
			if app {
				h = newAppHarness(t).set(map[string]string{"INPUT_KIND": "jit", "GITHUB_RUN_ID": "9876543210", "GITHUB_RUN_ATTEMPT": "1"})
			}
			h.set(map[string]string{"GITHUB_OUTPUT": filepath.Join(t.TempDir(), "missing-dir", "out")})
			if code := h.run(); code != 1 {
				t.Fatalf("exit code %d, want 1", code)
			}
			issued := h.sim.JITConfigs()
			if len(issued) != 1 {
				t.Fatalf("%d configs issued, want 1", len(issued))
			}
			if left := h.sim.Runners("repos/octo-org/app"); len(left) != 0 {
				t.Errorf("runners left registered: %+v", left)
			}
			want := fmt.Sprintf("(id %d), which this run registered, was removed", issued[0].RunnerID)
			if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], "writing outputs to GITHUB_OUTPUT") || !strings.Contains(e[0], want) {
				t.Errorf("errors = %q, want the output failure and %q", e, want)
			}
			if app {
				if tokens := h.sim.AppTokens(); len(tokens) != 1 || !tokens[0].Revoked {
					t.Errorf("installation tokens = %+v, want the one revoked", tokens)
				}
			}
			checkNoConfigLeaks(t, h)
		})
	}
}

// TestServerTextCannotWriteCommands: names, labels and messages from the
// server that hold a line break and a workflow command reach the log as
// data on the action's own line, never as a command.
func TestServerTextCannotWriteCommands(t *testing.T) {
	t.Parallel()
	const hostile = "x\n::warning title=pwned::from the server\r\n  ::stop-commands::pwned"
	cases := []struct {
		name  string
		setup func(t *testing.T) *harness
		ok    bool
	}{
		{"installation account login", func(t *testing.T) *harness {
			h := newAppHarness(t)
			h.sim.Inject(h.sim.Tamper(func(a map[string]any) { a["account"].(map[string]any)["login"] = hostile }))
			return h
		}, true},
		{"runner labels", func(t *testing.T) *harness {
			h := jitHarness(t, nil)
			h.sim.Inject(h.sim.Tamper(func(a map[string]any) {
				a["runner"].(map[string]any)["labels"] = []map[string]any{{"id": 1, "name": hostile, "type": "custom"}}
			}))
			return h
		}, true},
		{"runner group name", func(t *testing.T) *harness {
			h := jitHarness(t, map[string]string{"INPUT_ORGANIZATION": "octo-org", "GITHUB_REPOSITORY": ""})
			h.sim.SetRunnerGroups("orgs/octo-org", ghsim.RunnerGroup{ID: 1, Name: "Default" + hostile, Default: true, Visibility: "all"})
			return h
		}, true},
		{"runner status, when the name is taken", func(t *testing.T) *harness {
			h := jitHarness(t, map[string]string{"INPUT_RUNNER-NAME": "build-7"})
			h.sim.AddRunner("repos/octo-org/app", ghsim.Runner{Name: "build-7", Status: hostile, Labels: []string{hostile}})
			return h
		}, false},
		{"error message", func(t *testing.T) *harness {
			h := newHarness(t)
			h.sim.Inject(h.sim.Status(422, hostile))
			return h
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := tc.setup(t)
			if code := h.run(); (code == 0) != tc.ok {
				t.Fatalf("exit code %d: %q", code, h.errors())
			}
			for _, line := range strings.Split(h.stdout.String(), "\n") {
				if l := strings.TrimSpace(line); strings.HasPrefix(l, "::warning title=pwned") || strings.HasPrefix(l, "::stop-commands::") {
					t.Errorf("the server wrote a command: %q", line)
				}
			}
			for _, c := range runnertest.ParseLog(h.stdout.String()) {
				if c.Name == "warning" || c.Name == "stop-commands" {
					t.Errorf("the log has a %s command: %q", c.Name, c.Message)
				}
			}
			if strings.Contains(h.file(h.sumFile), "\n::") {
				t.Errorf("the summary has a line from the server:\n%s", h.file(h.sumFile))
			}
		})
	}
}

// TestErrorIsBounded: thousands of details make one annotation of a few
// KiB that says how many it left out.
func TestErrorIsBounded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sim.Inject(h.sim.ValidationFailed(3000))
	assertFailed(t, h, 1, []string{"422 Unprocessable Entity", "Label 1 is not allowed here", "more)"})
	for _, line := range strings.Split(h.stdout.String(), "\n") {
		if len(line) > 5000 {
			t.Errorf("a log line of %d bytes", len(line))
		}
	}
}

// TestExpiryAsGitHubWroteIt: RFC 3339 allows a lower-case t and z; the
// token is good, and its expiry is handed on as GitHub sent it.
func TestExpiryAsGitHubWroteIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sim.Inject(h.sim.Tamper(func(a map[string]any) { a["expires_at"] = "2026-11-25t15:04:05z" }))
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	if got := h.outputs()["expires-at"]; got != "2026-11-25t15:04:05z" {
		t.Errorf("expires-at = %q, want it as GitHub sent it", got)
	}
}

// TestAppTokenWithAnOddExpiryIsUsedAndRevoked: an installation token whose
// expires_at no parser reads is still a token: it is used, then revoked.
func TestAppTokenWithAnOddExpiryIsUsedAndRevoked(t *testing.T) {
	t.Parallel()
	h := newAppHarness(t)
	h.sim.Inject(nil, h.sim.Tamper(func(a map[string]any) { a["expires_at"] = "in an hour" }))
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	if tokens := h.sim.AppTokens(); len(tokens) != 1 || !tokens[0].Revoked {
		t.Errorf("installation tokens = %+v, want the one revoked", tokens)
	}
	assertAppSecretsSafe(t, h)
}

// TestExhaustedRateLimitIsNotAnAnswer: after an answer that used the last
// request of the hour, every later request of the flow is still sent (and
// TestSpentRateLimit: after an answer (a success too) that used the
// credential's last request, nothing more is sent until the reset; a reset
// past the deadline fails the step at once, with nothing created.
func TestSpentRateLimit(t *testing.T) {
	t.Parallel()
	later := time.Now().Add(time.Hour)
	t.Run("jit: the groups listed, the registration never sent", func(t *testing.T) {
		t.Parallel()
		h := jitHarness(t, map[string]string{"INPUT_ORGANIZATION": "octo-org", "GITHUB_REPOSITORY": ""})
		h.sim.Inject(h.sim.ExhaustRateLimit(later))
		if code := h.run(); code != 1 {
			t.Fatalf("exit code %d, want 1", code)
		}
		if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], "rate limit for this credential is used up") || !strings.Contains(e[0], "nothing was sent") {
			t.Errorf("errors %q", e)
		}
		if n, left := len(h.sim.Requests()), h.sim.Runners("orgs/octo-org"); n != 1 || len(left) != 0 {
			t.Errorf("%d requests, runners %v; want 1 and none registered", n, runnerNames(left))
		}
	})
	t.Run("app: the installation found, no token asked for", func(t *testing.T) {
		t.Parallel()
		h := newAppHarness(t)
		h.sim.Inject(h.sim.ExhaustRateLimit(later))
		if code := h.run(); code != 1 {
			t.Fatalf("exit code %d, want 1", code)
		}
		if n, tokens := len(h.sim.Requests()), h.sim.AppTokens(); n != 1 || len(tokens) != 0 {
			t.Errorf("%d requests, tokens %+v; want 1 and none issued", n, tokens)
		}
	})
}

// TestHerdOfJobs: 20 runs at once through a server that rate-limits every
// other request all succeed, each minting exactly one credential.
func TestHerdOfJobs(t *testing.T) {
	t.Parallel()
	first := newHarness(t)
	first.sim.EveryOther(first.sim.SecondaryRateLimit("1"))
	const jobs = 20
	runs := make([]*harness, jobs)
	codes := make([]int, jobs)
	var wg sync.WaitGroup
	for i := range jobs {
		h := newHarness(t)
		h.sim = first.sim
		h.set(map[string]string{"INPUT_API-URL": first.sim.URL(), "GITHUB_API_URL": first.sim.URL()})
		runs[i] = h
		wg.Go(func() {
			env := h.processEnv()
			env.Jitter = nil // the real one: the herd must spread out
			codes[i] = Main(context.Background(), env)
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 || runs[i].outputs()["token"] == "" {
			t.Errorf("job %d: exit code %d: %q", i, c, runs[i].errors())
		}
	}
	if got := len(first.sim.Issued()); got != jobs {
		t.Errorf("%d tokens minted, want %d", got, jobs)
	}
}
