package githubapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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

type logLines struct {
	mu          sync.Mutex
	info, debug []string
}

func (l *logLines) Info(f string, a ...any) {
	l.mu.Lock()
	l.info = append(l.info, fmt.Sprintf(f, a...))
	l.mu.Unlock()
}
func (l *logLines) Debug(f string, a ...any) {
	l.mu.Lock()
	l.debug = append(l.debug, fmt.Sprintf(f, a...))
	l.mu.Unlock()
}

type retryCase struct {
	name      string
	faults    func(s *ghsim.Server, now time.Time) []ghsim.Fault
	timeout   time.Duration // the step's deadline; default 2 minutes
	wantCalls int           // requests the server saw
	wantWait  time.Duration // time waited, on the injected clock
	wantErr   string        // "" for success
}

func TestRetries(t *testing.T) {
	t.Parallel()
	cases := []retryCase{
		{
			name: "two server errors, then success",
			faults: func(s *ghsim.Server, _ time.Time) []ghsim.Fault {
				return []ghsim.Fault{s.Status(502, "Server Error"), s.Status(503, "Unavailable")}
			},
			wantCalls: 3, wantWait: 500*time.Millisecond + time.Second,
		},
		{
			name: "server errors until the attempts run out",
			faults: func(s *ghsim.Server, _ time.Time) []ghsim.Fault {
				return []ghsim.Fault{s.Status(500, "x"), s.Status(500, "x"), s.Status(500, "x"), s.Status(500, "x"), s.Status(500, "x")}
			},
			wantCalls: 5, wantWait: 500*time.Millisecond + time.Second + 2*time.Second + 4*time.Second,
			wantErr: "GitHub answered 500 Internal Server Error: \"x\"",
		},
		{
			name: "501 is not retried",
			faults: func(s *ghsim.Server, _ time.Time) []ghsim.Fault {
				return []ghsim.Fault{s.Status(501, "Not Implemented")}
			},
			wantCalls: 1, wantErr: "501 Not Implemented",
		},
		{
			name: "503 with Retry-After",
			faults: func(s *ghsim.Server, _ time.Time) []ghsim.Fault {
				return []ghsim.Fault{s.Status(503, "busy", "Retry-After: 4")}
			},
			wantCalls: 2, wantWait: 4 * time.Second,
		},
		{
			name:      "secondary rate limit with Retry-After",
			faults:    func(s *ghsim.Server, _ time.Time) []ghsim.Fault { return []ghsim.Fault{s.SecondaryRateLimit("7")} },
			wantCalls: 2, wantWait: 7 * time.Second,
		},
		{
			name:      "secondary rate limit without Retry-After waits a minute",
			faults:    func(s *ghsim.Server, _ time.Time) []ghsim.Fault { return []ghsim.Fault{s.SecondaryRateLimit("")} },
			wantCalls: 2, wantWait: time.Minute,
		},
		{
			name: "429 with Retry-After",
			faults: func(s *ghsim.Server, _ time.Time) []ghsim.Fault {
				return []ghsim.Fault{s.Status(429, "slow down", "Retry-After: 3")}
			},
			wantCalls: 2, wantWait: 3 * time.Second,
		},
		{
			name: "primary rate limit resetting soon: wait for the reset",
			faults: func(s *ghsim.Server, now time.Time) []ghsim.Fault {
				return []ghsim.Fault{s.PrimaryRateLimit(now.Add(20 * time.Second).Truncate(time.Second))}
			},
			wantCalls: 2, wantWait: -1, // between 20 and 21 s: checked below
		},
		{
			name: "primary rate limit resetting after the deadline: fail at once",
			faults: func(s *ghsim.Server, now time.Time) []ghsim.Fault {
				return []ghsim.Fault{s.PrimaryRateLimit(now.Add(time.Hour))}
			},
			wantCalls: 1, wantWait: 0,
			wantErr: "403 Forbidden: \"API rate limit exceeded for user ID 1.\"",
		},
		{
			name: "backoff never passes the deadline",
			faults: func(s *ghsim.Server, _ time.Time) []ghsim.Fault {
				return []ghsim.Fault{s.Status(502, "x"), s.Status(502, "x"), s.Status(502, "x")}
			},
			timeout:   1200 * time.Millisecond,
			wantCalls: 2, wantWait: 500 * time.Millisecond,
			wantErr: "not retried: waiting 1s more would pass the step's deadline",
		},
		{
			name:      "connection reset, then success",
			faults:    func(*ghsim.Server, time.Time) []ghsim.Fault { return []ghsim.Fault{ghsim.ResetConnection()} },
			wantCalls: 2, wantWait: 500 * time.Millisecond,
		},
		{
			name:      "a hanging server times out, then success",
			faults:    func(*ghsim.Server, time.Time) []ghsim.Fault { return []ghsim.Fault{ghsim.Hang()} },
			wantCalls: 2, wantWait: 500 * time.Millisecond,
		},
		{
			name:      "an answer that stops mid-body times out, then success",
			faults:    func(*ghsim.Server, time.Time) []ghsim.Fault { return []ghsim.Fault{ghsim.StallBody()} },
			wantCalls: 2, wantWait: 500 * time.Millisecond,
		},
		{
			name:      "a huge answer is refused, not retried",
			faults:    func(*ghsim.Server, time.Time) []ghsim.Fault { return []ghsim.Fault{ghsim.HugeBody(4 << 20)} },
			wantCalls: 1, wantErr: "the API's answer is too large",
		},
		{
			name: "rate limits are retried until the deadline, not a count",
			faults: func(s *ghsim.Server, _ time.Time) []ghsim.Fault {
				var f []ghsim.Fault
				for range 7 {
					f = append(f, s.SecondaryRateLimit("1"))
				}
				return f
			},
			// At least what GitHub asked; with no jitter, exactly that.
			wantCalls: 8, wantWait: 7 * time.Second,
		},
		{
			name: "a rate limit far away stops the retries at once",
			faults: func(s *ghsim.Server, _ time.Time) []ghsim.Fault {
				return []ghsim.Fault{s.SecondaryRateLimit("1"), s.SecondaryRateLimit("1"), s.SecondaryRateLimit("600")}
			},
			wantCalls: 3, wantWait: 2 * time.Second,
			wantErr: "not retried: GitHub asked to wait 10m0s before trying again, and only 1m58s of the step's timeout remained; a larger `timeout` input",
		},
		{
			name: "a Retry-After too large to count is a long wait, not a short one",
			faults: func(s *ghsim.Server, _ time.Time) []ghsim.Fault {
				return []ghsim.Fault{s.Status(503, "busy", "Retry-After: 18446744074")}
			},
			wantCalls: 1, wantErr: "would pass the step's deadline",
		},
	}
	for _, status := range []int{400, 401, 404, 422} {
		cases = append(cases, retryCase{
			name:      fmt.Sprintf("%d is never retried", status),
			faults:    func(s *ghsim.Server, _ time.Time) []ghsim.Fault { return []ghsim.Fault{s.Status(status, "no")} },
			wantCalls: 1, wantErr: fmt.Sprintf("GitHub answered %d", status),
		})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := sim(t, "/api/v3")
			clk := fakeclock.New(time.Now())
			s.Inject(tc.faults(s, clk.Now())...)
			var logs logLines
			base, _ := url.Parse(s.URL())
			c := NewClient(s.Client(), base, token, WithPolicy(retry.Policy{
				AttemptTimeout: hangLimit,
				Now:            clk.Now, Sleep: clk.Sleep,
				Jitter: func() float64 { return 0 },
				Log:    logs.Info, Debug: logs.Debug,
			}))
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 2 * time.Minute
			}
			ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(timeout))
			defer cancel()

			var v map[string]string
			_, err := Do(Replayable(ctx), c, OpRunnerToken, "POST", "orgs/octo-org/actions/runners/remove-token", nil, &v)

			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Do: %v", err)
			case tc.wantErr == "" && v["token"] == "":
				t.Fatal("no token in the final answer")
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			if got := len(s.Requests()); got != tc.wantCalls {
				t.Errorf("server saw %d requests, want %d", got, tc.wantCalls)
			}
			got := clk.Waited()
			if tc.wantWait >= 0 && got != tc.wantWait {
				t.Errorf("waited %s, want %s", got, tc.wantWait)
			}
			if tc.wantWait < 0 && (got < 20*time.Second || got > 21*time.Second) {
				t.Errorf("waited %s, want until the reset (20-21s)", got)
			}
			if n := len(logs.info); n != tc.wantCalls-1 {
				t.Errorf("%d retry log lines, want one per retry (%d): %q", n, tc.wantCalls-1, logs.info)
			}
			for _, l := range append(logs.info, logs.debug...) {
				if strings.Contains(l, token) {
					t.Error("a log line contains the credential")
				}
			}
			if tc.wantErr != "" && tc.wantCalls > 1 && !strings.Contains(err.Error(), fmt.Sprintf("after %d attempts", tc.wantCalls)) {
				t.Errorf("error %q does not say how many attempts were made", err)
			}
		})
	}
}

func TestRetryLogLines(t *testing.T) {
	t.Parallel()
	s := sim(t, "/api/v3")
	clk := fakeclock.New(time.Now())
	s.Inject(s.Status(502, "x", "X-GitHub-Request-Id: AAAA:BBBB"))
	var logs logLines
	base, _ := url.Parse(s.URL())
	c := NewClient(s.Client(), base, token, WithPolicy(retry.Policy{Now: clk.Now, Sleep: clk.Sleep, Jitter: func() float64 { return 0.5 }, Log: logs.Info, Debug: logs.Debug}))
	if _, err := Do(Replayable(context.Background()), c, OpRunnerToken, "POST", "orgs/octo-org/actions/runners/remove-token", nil, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"POST /api/v3/orgs/octo-org/actions/runners/remove-token: GitHub answered 502 Bad Gateway [request ID AAAA:BBBB]; retrying in 750ms (attempt 2 of 5)"}
	if diff := cmp.Diff(want, logs.info); diff != "" {
		t.Errorf("retry log (-want +got):\n%s", diff)
	}
	if len(logs.debug) != 2 || !strings.HasPrefix(logs.debug[0], "POST /api/v3/orgs/octo-org/actions/runners/remove-token: 502 Bad Gateway in ") ||
		!strings.HasSuffix(logs.debug[0], "[request ID AAAA:BBBB]") || !strings.Contains(logs.debug[1], ": 201 Created in ") {
		t.Errorf("debug lines = %q", logs.debug)
	}
}

func TestUnreachableIsRetriedAndNeverApplied(t *testing.T) {
	t.Parallel()
	s := sim(t, "/api/v3")
	base, _ := url.Parse(s.URL())
	s.Close() // connection refused: the request never left
	clk := fakeclock.New(time.Now())
	c := NewClient(s.Client(), base, token, WithPolicy(retry.Policy{Now: clk.Now, Sleep: clk.Sleep, Jitter: func() float64 { return 0 }}))
	_, err := Do(context.Background(), c, OpRunnerToken, "POST", "x", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "after 5 attempts") {
		t.Fatalf("err = %v, want a refusal retried 5 times", err)
	}
	var e *Error
	if errors.As(err, &e) {
		t.Errorf("a connection failure became an HTTP error: %v", e)
	}
	if MayHaveApplied(err) {
		t.Errorf("MayHaveApplied(%v) = true for a request that never left", err)
	}
}

func TestCertificateErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	s := sim(t, "/api/v3")
	base, _ := url.Parse(s.URL())
	wrongName := s.Client()
	wrongName.Transport.(*http.Transport).TLSClientConfig.ServerName = "elsewhere.test"
	for name, hc := range map[string]*http.Client{"unknown authority": http.DefaultClient, "wrong name": wrongName} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := fakeclock.New(time.Now())
			c := NewClient(hc, base, token, WithPolicy(retry.Policy{Now: clk.Now, Sleep: clk.Sleep}))
			_, err := Do(context.Background(), c, OpRunnerToken, "POST", "x", nil, nil)
			if err == nil || !strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), "attempts") {
				t.Fatalf("err = %v, want one certificate error, not retried", err)
			}
			if clk.Waited() != 0 {
				t.Errorf("waited %s", clk.Waited())
			}
		})
	}
}

// hangLimit bounds each try in tests whose faults hang: long enough that a
// normal answer under -race on a loaded machine never reaches it, short
// enough that a hang costs the test one second.
const hangLimit = time.Second

// TestCreatingRequestsAreNotReplayed: after a try GitHub may have acted on,
// a POST is sent again only where its caller said a second one is
// harmless; an idempotent request always may be.
func TestCreatingRequestsAreNotReplayed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		method     string
		replayable bool
		fault      func(s *ghsim.Server) ghsim.Fault
		wantCalls  int
	}{
		{"POST after a 502", "POST", false, func(s *ghsim.Server) ghsim.Fault { return s.Status(502, "x") }, 1},
		{"POST after a lost connection", "POST", false, func(*ghsim.Server) ghsim.Fault { return ghsim.ResetConnection() }, 1},
		{"replayable POST after a 502", "POST", true, func(s *ghsim.Server) ghsim.Fault { return s.Status(502, "x") }, 2},
		{"GET after a 502", "GET", false, func(s *ghsim.Server) ghsim.Fault { return s.Status(502, "x") }, 2},
		{"POST after a rate limit: refused unprocessed", "POST", false, func(s *ghsim.Server) ghsim.Fault { return s.SecondaryRateLimit("1") }, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := sim(t, "/api/v3")
			clk := fakeclock.New(time.Now())
			s.Inject(tc.fault(s))
			base, _ := url.Parse(s.URL())
			c := NewClient(s.Client(), base, token, WithPolicy(retry.Policy{Now: clk.Now, Sleep: clk.Sleep}))
			ctx := withDeadline(t, clk, 2*time.Minute)
			if tc.replayable {
				ctx = Replayable(ctx)
			}
			path := "orgs/octo-org/actions/runners/registration-token"
			if tc.method == "GET" {
				path = "orgs/octo-org/actions/runners"
			}
			_, err := Do(ctx, c, OpRunnerToken, tc.method, path, nil, nil)
			if got := len(s.Requests()); got != tc.wantCalls {
				t.Errorf("server saw %d requests, want %d", got, tc.wantCalls)
			}
			if tc.wantCalls == 1 && (!MayHaveApplied(err) || !strings.Contains(err.Error(), "sending it again could do it twice")) {
				t.Errorf("err = %v, want one that may have applied and says why it was not sent again", err)
			}
			if tc.wantCalls == 2 && err != nil {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// TestRedirectThatChangesTheMethod: Go follows a 301/302/303 to a DELETE
// with a GET; a 2xx to that GET is no removal. A 307 keeps the method and
// is followed.
func TestRedirectThatChangesTheMethod(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status  int
		wantErr bool
	}{{301, true}, {302, true}, {303, true}, {307, false}, {308, false}} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			s := sim(t, "/api/v3")
			var mu sync.Mutex
			var seen []string
			s.Wrap(func(http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					seen = append(seen, r.Method+" "+r.URL.Path)
					mu.Unlock()
					if r.URL.Path == "/api/v3/orgs/octo-org/actions/runners/7" {
						w.Header().Set("Location", "/api/v3/login?next=x")
						w.WriteHeader(tc.status)
						return
					}
					w.WriteHeader(http.StatusNoContent) // the login page, or the moved path
				})
			})
			base, _ := url.Parse(s.URL())
			_, err := Do(context.Background(), NewClient(s.Client(), base, token), OpRemoveRunner, "DELETE", "orgs/octo-org/actions/runners/7", nil, nil)
			if got := errors.Is(err, ErrRedirectChangesMethod); got != tc.wantErr {
				t.Fatalf("err = %v, want ErrRedirectChangesMethod: %v", err, tc.wantErr)
			}
			if tc.wantErr && !strings.Contains(err.Error(), "DELETE /api/v3/orgs/octo-org/actions/runners/7 with a redirect to GET /api/v3/login, so it is not confirmed") {
				t.Errorf("err = %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if tc.wantErr && len(seen) != 1 {
				t.Errorf("requests %q, want only the DELETE", seen)
			}
		})
	}
}
