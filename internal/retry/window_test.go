package retry

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRateLimitWindow(t *testing.T) {
	t.Parallel()
	const s = time.Second
	cases := []struct {
		name        string
		asked       time.Duration
		consecutive int
		remaining   time.Duration
		jitter      float64
		want        time.Duration
	}{
		{"no jitter: exactly what GitHub asked", 1 * s, 1, 2 * time.Minute, 0, 1 * s},
		{"first limit: a window of 4 s after what was asked", 1 * s, 1, 2 * time.Minute, 0.5, 3 * s},
		{"the second limit in a row: 12 s", 1 * s, 2, 2 * time.Minute, 0.5, 7 * s},
		{"the third: 36 s", 1 * s, 3, 2 * time.Minute, 0.5, 19 * s},
		{"the fourth: 40 s, the most", 1 * s, 4, 2 * time.Minute, 0.5, 21 * s},
		{"the tenth: still 40 s", 1 * s, 10, 2 * time.Minute, 0.5, 21 * s},
		{"a window never ends past the deadline, less a second", 1 * s, 3, 30 * s, 0.5, 1*s + 14*s},
		{"a large Retry-After: as wide as what was asked", 10 * s, 1, 2 * time.Minute, 0.5, 15 * s},
		{"Retry-After 60: spread over all the deadline leaves", 60 * s, 1, 119 * s, 0.5, 60*s + 29*s},
		{"three quarters into that window", 60 * s, 1, 119 * s, 0.75, 103500 * time.Millisecond},
		{"asked just fits: wait what was asked", 60 * s, 1, 60500 * time.Millisecond, 0.9, 60 * s},
		{"asked does not fit: still what was asked (the caller gives up)", 60 * s, 3, 30 * s, 0.9, 60 * s},
		{"without a deadline: the window grows", 1 * s, 3, -1, 0.5, 19 * s},
		{"without a deadline: bounded too", 1 * s, 40, -1, 0.5, 21 * s},
		{"what GitHub asked widens the cap", 50 * s, 5, 3 * time.Minute, 0.5, 75 * s},
		{"a nonsense jitter stays in the window", 1 * s, 1, 2 * time.Minute, 7, 5 * s},
		{"a negative Retry-After is none", -5 * s, 1, 2 * time.Minute, 0.5, 2 * s},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := rateLimitWindow(tc.asked, tc.consecutive, tc.remaining, tc.jitter)
			if got != tc.want {
				t.Errorf("rateLimitWindow(%s, %d, %s, %v) = %s, want %s", tc.asked, tc.consecutive, tc.remaining, tc.jitter, got, tc.want)
			}
		})
	}
}

// TestRateLimitWindowBounds: never sooner than GitHub asked; never past the
// deadline when what GitHub asked fits before it.
func TestRateLimitWindowBounds(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		asked := time.Duration(r.Int64N(int64(3 * time.Minute)))
		consecutive := 1 + r.IntN(12)
		remaining := time.Duration(r.Int64N(int64(3*time.Minute))) - time.Second
		got := rateLimitWindow(asked, consecutive, remaining, r.Float64())
		if got < asked {
			t.Fatalf("rateLimitWindow(%s, %d, %s) = %s: sooner than asked", asked, consecutive, remaining, got)
		}
		if remaining >= 0 && asked <= remaining && got > remaining {
			t.Fatalf("rateLimitWindow(%s, %d, %s) = %s: past the deadline", asked, consecutive, remaining, got)
		}
	}
}

func TestRemainingBefore(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	ctx, cancel := context.WithDeadline(context.Background(), now.Add(90*time.Second))
	defer cancel()
	got := []time.Duration{
		remainingBefore(context.Background(), now),
		remainingBefore(ctx, now),
		remainingBefore(ctx, now.Add(2*time.Minute)),
	}
	if diff := cmp.Diff([]time.Duration{-1, 90 * time.Second, 0}, got); diff != "" {
		t.Errorf("remainingBefore (-want +got):\n%s", diff)
	}
}

func TestStopReason(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		v    verdict
		wait time.Duration
		left time.Duration
		want []string
	}{
		{"backoff", verdict{}, 2 * time.Second, time.Second, []string{"waiting 2s more would pass the step's deadline"}},
		{"rate limit", verdict{rateLimited: true, asked: time.Minute}, time.Minute, 42 * time.Second,
			[]string{"GitHub asked to wait 1m0s", "only 42s of the step's timeout remained", "a larger `timeout` input", "fewer jobs at once per credential"}},
		{"rate limit after the deadline", verdict{rateLimited: true, asked: time.Minute}, time.Minute, -time.Second,
			[]string{"only 0s of the step's timeout remained"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := stopReason(tc.v, tc.wait, tc.left)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("stopReason = %q, want it to say %q", got, w)
				}
			}
		})
	}
}

// TestBurstSimulation plays bursts of jobs sharing one credential against a
// token bucket in simulated time (no clock, no network), with the policy's
// rate-limit waits: the targets of the burst benchmark (cmd/burst), which
// the floor that rose with each limit (before rateLimitWindow) missed.
func TestBurstSimulation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		jobs       int
		rate       float64 // requests per second; the bucket holds one second's worth
		retryAfter time.Duration
		minOK      int
		maxReqs    float64 // per job
		maxSpan    time.Duration
	}{
		{250, 5, time.Second, 250, 4, 100 * time.Second}, // the floor: 247, 5.6, 119 s
		{400, 5, time.Second, 400, 5, 115 * time.Second},
		{100, 3, time.Minute, 95, 2, 2 * time.Minute},
		{20, 5, time.Second, 20, 2, 8 * time.Second},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d jobs at %v a second, Retry-After %s", tc.jobs, tc.rate, tc.retryAfter), func(t *testing.T) {
			t.Parallel()
			for seed := range uint64(5) {
				got := simulateBurst(tc.jobs, tc.rate, tc.retryAfter, 2*time.Minute, seed)
				if got.ok < tc.minOK || got.requestsPerJob > tc.maxReqs || got.span > tc.maxSpan {
					t.Errorf("%d jobs at %v/s, Retry-After %s (seed %d): %d succeeded, %.1f requests per job, done after %s; want at least %d, at most %.1f, within %s",
						tc.jobs, tc.rate, tc.retryAfter, seed, got.ok, got.requestsPerJob, got.span, tc.minOK, tc.maxReqs, tc.maxSpan)
				}
			}
		})
	}
}

type burstResult struct {
	ok             int
	requestsPerJob float64
	span           time.Duration
}

// simulateBurst starts jobs within the first second, each with its own
// deadline, against a token bucket of rate tokens a second holding one
// second's worth; a request over it is refused with retryAfter.
func simulateBurst(jobs int, rate float64, retryAfter, timeout time.Duration, seed uint64) burstResult {
	r := rand.New(rand.NewPCG(seed, 18))
	var q events
	start := make([]float64, jobs)
	limited := make([]int, jobs)
	for i := range jobs {
		start[i] = r.Float64()
		heap.Push(&q, event{start[i], i})
	}
	tokens, last := rate, 0.0
	var res burstResult
	requests, end := 0, 0.0
	for q.Len() > 0 {
		e := heap.Pop(&q).(event)
		tokens = math.Min(rate, tokens+(e.at-last)*rate)
		last = e.at
		requests++
		end = math.Max(end, e.at)
		if tokens >= 1 {
			tokens--
			res.ok++
			continue
		}
		limited[e.job]++
		remaining := time.Duration((start[e.job] + timeout.Seconds() - e.at) * float64(time.Second))
		wait := rateLimitWindow(retryAfter, limited[e.job], remaining, r.Float64())
		if wait > remaining {
			continue
		}
		heap.Push(&q, event{e.at + wait.Seconds() + 0.01, e.job}) // 10 ms a request
	}
	res.requestsPerJob = float64(requests) / float64(jobs)
	res.span = time.Duration(end * float64(time.Second))
	return res
}

type event struct {
	at  float64 // seconds from the burst's start
	job int
}

type events []event

func (e events) Len() int           { return len(e) }
func (e events) Less(i, j int) bool { return e[i].at < e[j].at }
func (e events) Swap(i, j int)      { e[i], e[j] = e[j], e[i] }
func (e *events) Push(x any)        { *e = append(*e, x.(event)) }
func (e *events) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}
