package githubapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/fakeclock"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/retry"
)

// newPolicyClient sends requests to s through the policy, on clk, with
// jitter fixed at jitter.
func newPolicyClient(t *testing.T, s *ghsim.Server, clk *fakeclock.Clock, jitter float64) func(ctx context.Context, method, path string) error {
	t.Helper()
	base, _ := url.Parse(s.URL())
	// No fault here hangs, so tries keep the default time limit: a short one
	// would turn a slow answer under -race into a retry the test did not ask for.
	c := NewClient(s.Client(), base, token, WithPolicy(retry.Policy{
		Now: clk.Now, Sleep: clk.Sleep,
		Jitter: func() float64 { return jitter },
	}))
	return func(ctx context.Context, method, path string) error {
		var v map[string]any
		_, err := Do(Replayable(ctx), c, OpRunnerToken, method, path, nil, &v)
		return err
	}
}

func withDeadline(t *testing.T, clk *fakeclock.Clock, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(d))
	t.Cleanup(cancel)
	return ctx
}

// TestRateLimitWaitsHaveJitterOnTop: never less than GitHub asked, and a
// random part of a window on top, growing with each limit in a row and
// ending before the deadline.
func TestRateLimitWaitsHaveJitterOnTop(t *testing.T) {
	t.Parallel()
	s := sim(t, "/api/v3")
	clk := fakeclock.New(time.Now())
	s.Inject(s.SecondaryRateLimit("1"), s.SecondaryRateLimit("1"), s.SecondaryRateLimit("1"), s.Status(429, "slow", "Retry-After: 10"), s.Status(503, "busy", "Retry-After: 2"))
	do := newPolicyClient(t, s, clk, 0.5)
	if err := do(withDeadline(t, clk, 2*time.Minute), "POST", "orgs/octo-org/actions/runners/remove-token"); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{
		3 * time.Second,         // asked 1s, then half of a 4s window
		7 * time.Second,         // 1s + half of 12s
		19 * time.Second,        // 1s + half of 36s
		30 * time.Second,        // asked 10s: + half of 40s, the widest window
		2500 * time.Millisecond, // a 5xx's Retry-After, jitter on top
	}
	if diff := cmp.Diff(want, clk.Slept()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

// TestHerdSpreadsOut: 20 jobs limited at once by the same Retry-After come
// back at different times, and all get through a server that limits every
// other request.
func TestHerdSpreadsOut(t *testing.T) {
	t.Parallel()
	s := sim(t, "/api/v3")
	s.EveryOther(s.SecondaryRateLimit("1"))
	const jobs = 20
	errs := make([]error, jobs)
	firstWait := make([]time.Duration, jobs)
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Go(func() {
			clk := fakeclock.New(time.Now())
			base, _ := url.Parse(s.URL())
			c := NewClient(s.Client(), base, token, WithPolicy(retry.Policy{Now: clk.Now, Sleep: clk.Sleep}))
			ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(2*time.Minute))
			defer cancel()
			_, errs[i] = Do(Replayable(ctx), c, OpRunnerToken, "POST", "orgs/octo-org/actions/runners/remove-token", nil, nil)
			if w := clk.Slept(); len(w) > 0 {
				firstWait[i] = w[0]
			}
		})
	}
	wg.Wait()
	distinct := map[time.Duration]bool{}
	for i, err := range errs {
		if err != nil {
			t.Errorf("job %d: %v", i, err)
		}
		if w := firstWait[i]; w != 0 {
			distinct[w] = true
			if w < time.Second || w > 5*time.Second {
				t.Errorf("job %d waited %s, want 1s to 5s (asked 1s, then a 4s window)", i, w)
			}
		}
	}
	if len(distinct) < 2 {
		t.Errorf("every limited job waited the same %v: a herd stays in step", distinct)
	}
}

// TestMayHaveApplied: the one classification of "GitHub may have acted on
// it", as the flows that create something read it.
func TestMayHaveApplied(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		faults func(s *ghsim.Server) []ghsim.Fault
		want   bool
	}{
		{"a clear refusal", func(s *ghsim.Server) []ghsim.Fault { return []ghsim.Fault{s.Status(422, "no")} }, false},
		{"a rate limit after the deadline", func(s *ghsim.Server) []ghsim.Fault {
			return []ghsim.Fault{s.SecondaryRateLimit("3600")}
		}, false},
		{"501", func(s *ghsim.Server) []ghsim.Fault { return []ghsim.Fault{s.Status(501, "no")} }, false},
		{"5xx to the end", func(s *ghsim.Server) []ghsim.Fault {
			f := s.Status(502, "x")
			return []ghsim.Fault{f, f, f, f, f}
		}, true},
		{"a lost answer, then a clear refusal", func(s *ghsim.Server) []ghsim.Fault {
			return []ghsim.Fault{ghsim.ResetConnection(), s.Status(422, "no")}
		}, true},
		{"a 502, then a rate limit after the deadline", func(s *ghsim.Server) []ghsim.Fault {
			return []ghsim.Fault{s.Status(502, "x"), s.SecondaryRateLimit("3600")}
		}, true},
		{"a success that is not JSON", func(s *ghsim.Server) []ghsim.Fault {
			return []ghsim.Fault{s.Answer(201, "<html>")}
		}, true},
		{"a success too large to read", func(*ghsim.Server) []ghsim.Fault { return []ghsim.Fault{ghsim.HugeBody(2 << 20)} }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := sim(t, "/api/v3")
			clk := fakeclock.New(time.Now())
			s.Inject(tc.faults(s)...)
			err := newPolicyClient(t, s, clk, 0)(withDeadline(t, clk, 2*time.Minute), "POST", "orgs/octo-org/actions/runners/remove-token")
			if err == nil {
				t.Fatal("no error")
			}
			if got := MayHaveApplied(err); got != tc.want {
				t.Errorf("MayHaveApplied(%v) = %v, want %v", err, got, tc.want)
			}
		})
	}
}

// TestNoLocalRateLimitCheck: go-github refuses a request on its own after
// a secondary limit; here every request reaches the server, and only the
// policy waits.
func TestNoLocalRateLimitCheck(t *testing.T) {
	t.Parallel()
	s := sim(t, "/api/v3")
	clk := fakeclock.New(time.Now())
	s.Inject(s.SecondaryRateLimit("600"))
	do := newPolicyClient(t, s, clk, 0)
	ctx := withDeadline(t, clk, 2*time.Minute)
	_ = do(ctx, "POST", "orgs/octo-org/actions/runners/registration-token")
	if err := do(ctx, "POST", "orgs/octo-org/actions/runners/remove-token"); err != nil {
		t.Errorf("second request: %v", err)
	}
	if n := len(s.Requests()); n != 2 {
		t.Errorf("server got %d requests, want 2", n)
	}
}

// TestSpentBudget: after a success that used the credential's last
// request, GitHub asks for nothing more until the reset: the next request
// waits for it within the deadline, and past the deadline is never sent.
func TestSpentBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		reset     time.Duration
		wantSent  int
		wantWait  time.Duration
		wantError bool
	}{
		{"reset within the deadline: wait for it", 30 * time.Second, 2, 31 * time.Second, false},
		{"reset after the deadline: send nothing", time.Hour, 1, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := sim(t, "/api/v3")
			clk := fakeclock.New(time.Unix(time.Now().Unix(), 0))
			s.Inject(s.ExhaustRateLimit(clk.Now().Add(tc.reset)))
			do := newPolicyClient(t, s, clk, 0)
			ctx := withDeadline(t, clk, 2*time.Minute)
			if err := do(ctx, "POST", "orgs/octo-org/actions/runners/registration-token"); err != nil {
				t.Fatalf("first request: %v", err)
			}
			err := do(ctx, "POST", "orgs/octo-org/actions/runners/remove-token")
			spent := err != nil && strings.Contains(err.Error(), "GitHub's rate limit for this credential is used up until") && strings.Contains(err.Error(), "nothing was sent")
			if tc.wantError != spent {
				t.Errorf("second request: %v, want one saying the rate limit is used up and nothing was sent: %v", err, tc.wantError)
			}
			if n := len(s.Requests()); n != tc.wantSent {
				t.Errorf("server got %d requests, want %d", n, tc.wantSent)
			}
			if got := clk.Waited(); got != tc.wantWait {
				t.Errorf("waited %s, want %s", got, tc.wantWait)
			}
		})
	}
}

// TestProxyRefusesCredentials: a proxy's 407 is not GitHub's answer and
// will not change: said once, not retried, without the proxy's URL.
func TestProxyRefusesCredentials(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := 0
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen++
		mu.Unlock()
		w.Header().Set("Proxy-Authenticate", `Basic realm="corp"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	t.Cleanup(proxy.Close)
	proxyURL, _ := url.Parse(proxy.URL)
	proxyURL.User = url.UserPassword("builder", "hunter2")
	for _, api := range []string{"https://github.example/api/v3", "http://github.example/api/v3"} {
		t.Run(api, func(t *testing.T) {
			hc, err := DefaultHTTPClient()
			if err != nil {
				t.Fatal(err)
			}
			hc.Transport.(*http.Transport).Proxy = http.ProxyURL(proxyURL)
			clk := fakeclock.New(time.Now())
			base, _ := url.Parse(api)
			c := NewClient(hc, base, token, WithPolicy(retry.Policy{Now: clk.Now, Sleep: clk.Sleep}))
			mu.Lock()
			before := seen
			mu.Unlock()
			_, err = Do(context.Background(), c, OpRunnerToken, "POST", "orgs/octo-org/actions/runners/registration-token", nil, nil)
			if !errors.Is(err, retry.ErrProxyAuth) {
				t.Fatalf("error = %v, want retry.ErrProxyAuth", err)
			}
			if strings.Contains(err.Error(), "hunter2") || MayHaveApplied(err) {
				t.Errorf("error = %v: shows the proxy's password, or says GitHub may have acted", err)
			}
			if !strings.Contains(err.Error(), "as http://user:password@host:port") {
				t.Errorf("error = %v: want the proxy URL's usual http:// form", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if n := seen - before; n != 1 || len(clk.Slept()) != 0 {
				t.Errorf("proxy asked %d times, waits %v; want once, no retry", n, clk.Slept())
			}
		})
	}
}

// TestErrorDetailsBounded: thousands of details make one bounded line that
// says how many were left out.
func TestErrorDetailsBounded(t *testing.T) {
	t.Parallel()
	s := sim(t, "/api/v3")
	clk := fakeclock.New(time.Now())
	s.Inject(s.ValidationFailed(3000))
	err := newPolicyClient(t, s, clk, 0)(context.Background(), "POST", "orgs/octo-org/actions/runners/remove-token")
	var e *Error
	if !errors.As(err, &e) || len(e.Details) != 3000 {
		t.Fatalf("error = %T, want *Error with every detail kept (server got %d requests)", err, len(s.Requests()))
	}
	msg := err.Error()
	if len(msg) > 2048 || !strings.Contains(msg, "Label 1 is not allowed here") || !strings.Contains(msg, "more)") {
		t.Errorf("message is %d bytes, want at most 2 KiB naming the first detail and how many more: %.300s", len(msg), msg)
	}
	if !strings.Contains(msg, fmt.Sprintf("and %d more", 3000-strings.Count(msg, "is not allowed here"))) {
		t.Errorf("message miscounts what was left out: %.300s", msg)
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 11, 25, 15, 4, 5, 0, time.UTC)
	for _, s := range []string{"2026-11-25T15:04:05Z", "2026-11-25t15:04:05z", "2026-11-25T16:04:05+01:00", "2026-11-25t15:04:05.000+00:00"} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %s, %v; want %s", s, got, err, want)
		}
	}
	for _, s := range []string{"", "2026-11-25 15:04:05", "tomorrow", "2026-11-25T15:04:05"} {
		if _, err := ParseTime(s); err == nil {
			t.Errorf("ParseTime(%q) succeeded", s)
		}
	}
}

// TestPause: a flow's own retry (a JIT registration after its recovery)
// waits as the policy does, on its clock, and never past the deadline.
func TestPause(t *testing.T) {
	t.Parallel()
	clk := fakeclock.New(time.Now())
	p := retry.Policy{Now: clk.Now, Sleep: clk.Sleep, Jitter: func() float64 { return 0 }}
	ctx := withDeadline(t, clk, 2*time.Second)
	if err := p.Pause(ctx, 1); err != nil {
		t.Fatalf("first pause: %v", err)
	}
	if err := p.Pause(ctx, 2); err != nil {
		t.Fatalf("second pause: %v", err)
	}
	if err := p.Pause(ctx, 3); err == nil || !strings.Contains(err.Error(), "would pass the step's deadline") {
		t.Errorf("third pause: %v, want a refusal: 2s more would pass the deadline", err)
	}
	if diff := cmp.Diff([]time.Duration{500 * time.Millisecond, time.Second}, clk.Slept()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}
