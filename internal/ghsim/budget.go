package ghsim

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"
)

// SecondaryLimit plays GitHub's secondary rate limits for REST calls: a
// budget of points per minute for each credential (GitHub's is 900), where
// a GET, HEAD or OPTIONS costs 1 point and any other method 5, and
// optionally a cap on the requests one credential has in flight at once
// (GitHub's is 100). A request over either is refused, unprocessed, with
// GitHub's answer: 403, its secondary-limit message and Retry-After.
//
// The budget is a token bucket that refills continuously and holds Burst
// points: a burst of requests at once gets Burst's worth through, then the
// rest of the minute's points as they come in.
type SecondaryLimit struct {
	// PointsPerMinute is the budget of each credential; 0 for none.
	PointsPerMinute int
	// Burst is what the bucket holds: 0 for one second's worth
	// (PointsPerMinute/60), never less than one request's cost.
	Burst int
	// RetryAfter is what a refused request is told to wait, in whole
	// seconds: 0 for 60 s, GitHub's usual answer.
	RetryAfter time.Duration
	// Concurrency caps each credential's requests in flight; 0 for no cap.
	Concurrency int
}

// Point costs of one request, as GitHub counts them for secondary limits.
const (
	readPoints  = 1
	writePoints = 5
)

// DefaultSecondaryRetryAfter is the Retry-After of a secondary limit when
// SecondaryLimit.RetryAfter is 0.
const DefaultSecondaryRetryAfter = time.Minute

// limiter is a SecondaryLimit in force: one bucket and one count of
// requests in flight for each credential (by name; "" for requests without
// a valid one).
type limiter struct {
	SecondaryLimit
	mu       sync.Mutex
	buckets  map[string]*bucket
	inFlight map[string]int
	refused  int
}

type bucket struct {
	points float64
	at     time.Time
}

// LimitSecondary enforces l on every request from now on, before any fault
// from Inject or Wrap; the zero SecondaryLimit lifts the limit. Refused
// requests are recorded (Requests) and counted (SecondaryLimited), and cost
// no points.
func (s *Server) LimitSecondary(l SecondaryLimit) {
	var lim *limiter
	if l.PointsPerMinute > 0 || l.Concurrency > 0 {
		lim = &limiter{SecondaryLimit: l, buckets: map[string]*bucket{}, inFlight: map[string]int{}}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secondary = lim
}

// SecondaryLimited is how many requests the secondary limit refused.
func (s *Server) SecondaryLimited() int {
	s.mu.Lock()
	lim := s.secondary
	s.mu.Unlock()
	if lim == nil {
		return 0
	}
	lim.mu.Lock()
	defer lim.mu.Unlock()
	return lim.refused
}

// withinSecondaryLimit takes r's points and a place in flight, or answers r with the
// secondary limit and returns false. done, when admitted, gives the place
// back once r has been answered.
func (s *Server) withinSecondaryLimit(w http.ResponseWriter, r *http.Request) (done func(), ok bool) {
	s.mu.Lock()
	lim := s.secondary
	s.mu.Unlock()
	if lim == nil {
		return func() {}, true
	}
	who := ""
	if cred, ok := s.authenticate(r); ok {
		who = cred.name
	}
	if !lim.take(who, cost(r.Method), s.Now()) {
		secs := int(math.Ceil(cmp.Or(lim.RetryAfter, DefaultSecondaryRetryAfter).Seconds()))
		s.SecondaryRateLimit(fmt.Sprint(secs))(w, r)
		return nil, false
	}
	return func() { lim.release(who) }, true
}

func cost(method string) float64 {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return readPoints
	}
	return writePoints
}

// take admits one request of who costing points at now, or counts a
// refusal.
func (l *limiter) take(who string, points float64, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Concurrency > 0 && l.inFlight[who] >= l.Concurrency {
		l.refused++
		return false
	}
	if l.PointsPerMinute > 0 {
		capacity := max(float64(cmp.Or(l.Burst, l.PointsPerMinute/60)), writePoints)
		b := l.buckets[who]
		if b == nil {
			b = &bucket{points: capacity, at: now}
			l.buckets[who] = b
		}
		if elapsed := now.Sub(b.at); elapsed > 0 {
			b.points = min(capacity, b.points+elapsed.Minutes()*float64(l.PointsPerMinute))
			b.at = now
		}
		if b.points < points {
			l.refused++
			return false
		}
		b.points -= points
	}
	l.inFlight[who]++
	return true
}

func (l *limiter) release(who string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight[who]--
}
