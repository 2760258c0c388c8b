package retry

import (
	"context"
	"fmt"
	"time"
)

// How a rate-limited request spreads its retry (see rateLimitWindow).
//
// The numbers come from an event simulation of 20 to 400 jobs started at
// once against a shared token bucket, then from the burst benchmark
// (cmd/burst) running the built binary: a first window of 4 s (or what
// GitHub asked, if more) growing 3× with each limit in a row, up to 40 s,
// lets 250 jobs at 5 a second through in under 4 requests each, and still
// ends a burst of 20 within twice the ideal. Narrower first windows cost
// more requests per job; faster growth, or none of the 40 s cap, leaves
// the budget idle at the end of a burst while the last jobs sleep (250
// jobs took 117 s instead of 74 without the cap).
const (
	rateLimitBase   = 4 * time.Second
	rateLimitGrowth = 3
	// rateLimitMaxWindow caps the growth, though never below what GitHub
	// asked.
	rateLimitMaxWindow = 40 * time.Second
	// rateLimitReserve is kept free at the end of the deadline, for the
	// try itself after the last wait.
	rateLimitReserve = time.Second
)

// rateLimitWindow is how long to wait after the consecutive-th rate limit
// in a row (from 1), when GitHub asked to wait asked and remaining is left
// before the deadline (negative when there is none). The wait falls at a
// random point (jitter, in [0, 1)) of a window that starts at asked: never
// sooner than GitHub asked. The window is max(asked, 4 s) wide, three
// times wider with each limit in a row up to max(asked, 40 s), and ends at
// the latest rateLimitReserve before the deadline. So the jobs of a burst limited
// together come back spread over about as long as their number takes to
// fit in the budget, instead of all at the end of a floor that rises: the
// budget does not sit idle while they sleep, and a large Retry-After
// spreads the whole burst over the time the deadline leaves.
//
// The wait is at least asked, always, and at most remaining whenever asked
// fits in it; when asked does not, the caller gives up (see stopReason).
func rateLimitWindow(asked time.Duration, consecutive int, remaining time.Duration, jitter float64) time.Duration {
	asked = max(asked, 0)
	width := max(asked, rateLimitBase)
	for i := 1; i < consecutive && width < rateLimitMaxWindow; i++ {
		width *= rateLimitGrowth
	}
	width = max(min(width, rateLimitMaxWindow), asked)
	if remaining >= 0 {
		width = min(width, remaining-rateLimitReserve-asked)
	}
	if width <= 0 {
		return asked
	}
	return asked + time.Duration(min(max(jitter, 0), 1)*float64(width))
}

// remainingBefore is how long ctx has left at now, -1 without a deadline.
func remainingBefore(ctx context.Context, now time.Time) time.Duration {
	d, ok := ctx.Deadline()
	if !ok {
		return -1
	}
	return max(d.Sub(now), 0)
}

// stopReason says why a wait of wait was not made, with remaining left
// before the deadline. For a rate limit it says what GitHub asked, what was
// left, and what would let it through: a burst of jobs sharing one
// credential can lose even when the retries were right.
func stopReason(v verdict, wait, remaining time.Duration) string {
	if !v.rateLimited {
		return fmt.Sprintf("waiting %s more would pass the step's deadline", Round(wait))
	}
	return fmt.Sprintf("GitHub asked to wait %s before trying again, and only %s of the step's timeout remained; "+
		"a larger `timeout` input, or fewer jobs at once per credential, lets it through",
		Round(v.asked), Round(max(remaining, 0)))
}
