package ghsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/fakeclock"
)

const mintPath = "/repos/octo-org/app/actions/runners/registration-token"

// limited says whether an answer is GitHub's secondary rate limit, and its
// Retry-After.
func limited(t *testing.T, status int, h http.Header, body []byte) (bool, string) {
	t.Helper()
	if status != http.StatusForbidden {
		return false, ""
	}
	var e struct {
		Message string
		Docs    string `json:"documentation_url"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("403 body %q: %v", body, err)
	}
	if !strings.HasPrefix(e.Message, "You have exceeded a secondary rate limit.") {
		return false, "" // e.g. no access
	}
	if !strings.Contains(e.Docs, "secondary-rate-limits") || h.Get("Retry-After") == "" {
		t.Errorf("a secondary limit without its documentation_url or Retry-After: %s %v", body, h)
	}
	return true, h.Get("Retry-After")
}

func TestSecondaryLimitBudget(t *testing.T) {
	t.Parallel()
	type step struct {
		after  time.Duration // on the simulator's clock, before the request
		method string
		auth   string
		want   string // "ok" or the Retry-After of a refusal
	}
	const admin, fine = "Bearer tok-admin", "Bearer tok-fine"
	cases := []struct {
		name  string
		limit SecondaryLimit
		steps []step
	}{
		{
			name:  "a bucket of one second's worth: 10 points, two POSTs",
			limit: SecondaryLimit{PointsPerMinute: 600},
			steps: []step{
				{0, "POST", admin, "ok"}, {0, "POST", admin, "ok"}, {0, "POST", admin, "60"},
				{0, "GET", admin, "60"}, // even a point is more than is left
				{100 * time.Millisecond, "GET", admin, "ok"},
				{0, "GET", admin, "60"},
				{400 * time.Millisecond, "POST", admin, "60"},                                        // 4 points: not enough
				{200 * time.Millisecond, "POST", admin, "ok"},                                        // 6
				{time.Hour, "POST", admin, "ok"}, {0, "POST", admin, "ok"}, {0, "POST", admin, "60"}, // never more than the bucket holds
			},
		},
		{
			name:  "each credential has its own budget; none is one more",
			limit: SecondaryLimit{PointsPerMinute: 300, RetryAfter: 1500 * time.Millisecond},
			steps: []step{
				{0, "POST", admin, "ok"}, {0, "POST", admin, "2"},
				{0, "POST", fine, "ok"}, {0, "POST", fine, "2"},
				{0, "POST", "", "ok"}, {0, "POST", "", "2"},
			},
		},
		{
			name:  "a larger bucket lets a burst through",
			limit: SecondaryLimit{PointsPerMinute: 60, Burst: 15},
			steps: []step{
				{0, "POST", admin, "ok"}, {0, "POST", admin, "ok"}, {0, "POST", admin, "ok"}, {0, "POST", admin, "60"},
				{4 * time.Second, "POST", admin, "60"}, {time.Second, "POST", admin, "ok"},
			},
		},
		{
			name:  "no limit",
			limit: SecondaryLimit{},
			steps: []step{{0, "POST", admin, "ok"}, {0, "POST", admin, "ok"}, {0, "POST", admin, "ok"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSim(t)
			clk := fakeclock.New(time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))
			s.Now = clk.Now
			s.LimitSecondary(tc.limit)
			var got, want []string
			refusals := 0
			for _, st := range tc.steps {
				_ = clk.Sleep(t.Context(), st.after)
				path := mintPath
				if st.method == "GET" {
					path = "/repos/octo-org/app/actions/runners"
				}
				status, h, body := roundTrip(t, s, st.method, path, st.auth, "")
				res := "ok"
				if is, after := limited(t, status, h, body); is {
					res = after
					refusals++
				}
				got, want = append(got, res), append(want, st.want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
			if n := s.SecondaryLimited(); n != refusals {
				t.Errorf("SecondaryLimited() = %d, want %d", n, refusals)
			}
			if n := len(s.Requests()); n != len(tc.steps) {
				t.Errorf("%d requests recorded, want all %d, refused ones too", n, len(tc.steps))
			}
		})
	}
}

func TestSecondaryLimitConcurrency(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cap  int
		want string // the second request's answer while the first is in flight
	}{
		{1, "60"},
		{2, "ok"},
		{0, "ok"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("cap %d", tc.cap), func(t *testing.T) {
			t.Parallel()
			s := newSim(t)
			s.LimitSecondary(SecondaryLimit{Concurrency: tc.cap})
			arrived, release := make(chan struct{}), make(chan struct{})
			s.Wrap(func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Header.Get("X-First") != "" {
						close(arrived)
						<-release
					}
					next.ServeHTTP(w, r)
				})
			})
			var wg sync.WaitGroup
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodPost, s.URL()+mintPath, nil)
				req.Header.Set("Authorization", "Bearer tok-admin")
				req.Header.Set("X-First", "1")
				if resp, err := s.Client().Do(req); err == nil {
					resp.Body.Close()
				}
			})
			<-arrived
			status, h, body := roundTrip(t, s, "POST", mintPath, "Bearer tok-admin", "")
			close(release)
			wg.Wait()
			got := "ok"
			if is, after := limited(t, status, h, body); is {
				got = after
			}
			if got != tc.want {
				t.Errorf("second request in flight with a cap of %d: %s, want %s", tc.cap, got, tc.want)
			}
		})
	}
}
