package runners

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/retry"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// How often Wait looks: first after about FirstPoll, then a half longer
// each time, up to MaxPoll. A wait of an hour makes a few hundred requests,
// a small part of an hour's rate limit.
const (
	FirstPoll = 2 * time.Second
	MaxPoll   = 15 * time.Second
)

// pollWait is the wait after look n (from 1): a window that grows by half
// from FirstPoll up to MaxPoll, its last quarter random, so that the jobs
// of a matrix waiting together do not look together.
func pollWait(n int, jitter float64) time.Duration {
	w := min(float64(FirstPoll)*math.Pow(1.5, float64(n-1)), float64(MaxPoll))
	return time.Duration(w*0.75 + jitter*w*0.25)
}

// ErrTimedOut is wrapped when the step's deadline comes before the runner
// is in the state waited for.
var ErrTimedOut = errors.New("the step's timeout ran out while waiting")

// Wait looks at the runner ref names until it is in state want, and
// returns it then; when want is gone, it returns the runner as last seen
// (only what ref said of it when it was never seen). A runner named by
// name is found through the target's list (until it appears, unless want
// is gone), then looked at by id. changed is called at the first look and
// at each change of status or busy; with nil while a named runner is not
// registered yet. A runner that is removed while Wait waits for it to be
// online or idle fails at once; the step's deadline ends the wait with
// ErrTimedOut. Wait paces its looks on p's clock, the step's, so that
// tests never really wait.
func Wait(ctx context.Context, c *github.Client, t target.Target, ref config.RunnerRef, want config.WaitState, p retry.Policy, changed func(*Runner)) (*Runner, error) {
	p = p.WithDefaults()
	var (
		last *Runner // as last seen
		look = ref   // by id once seen
	)
	notReached := func() error {
		if last == nil {
			return fmt.Errorf("%w: %s never appeared in %s", ErrTimedOut, ref, t)
		}
		return fmt.Errorf("%w: %s in %s was not %s; last seen %s", ErrTimedOut, last.Describe(), t, want, last.State())
	}
	for n := 1; ; n++ {
		r, err := lookup(ctx, c, t, look)
		if err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, notReached()
			}
			return nil, err
		}
		switch {
		case r == nil && want == config.WaitGone:
			if last == nil {
				return &Runner{ID: ref.ID, Name: untrusted.Of(ref.Name)}, nil
			}
			return last, nil
		case r == nil && last != nil:
			return nil, fmt.Errorf("%s was removed from %s while this step waited for it to be %s (last seen %s): an ephemeral runner removes itself after its job, or someone removed it; wait-for: gone waits for that",
				last.Describe(), t, want, last.State())
		case r == nil && ref.ID != 0:
			// An id is GitHub's once registered: one not registered now never will be.
			return nil, fmt.Errorf("runner id %d is not registered in %s, so it will never be %s: give the id of a registered runner, or wait for it by runner-name", ref.ID, t, want)
		case r == nil:
			// Never seen yet, from the first look on: once seen, a runner
			// that goes ends the wait.
			if n == 1 {
				changed(nil)
			}
		default:
			if last == nil || !last.Status.Equal(r.Status) || last.Busy != r.Busy {
				changed(r)
			}
			last, look.ID = r, r.ID
			if reached(r, want) {
				return r, nil
			}
		}
		wait := pollWait(n, p.Jitter())
		if d, ok := ctx.Deadline(); ok && p.Now().Add(wait).After(d) {
			return nil, notReached()
		}
		if err := p.Sleep(ctx, wait); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, notReached()
			}
			return nil, err
		}
	}
}

// reached says whether r is in state want (never gone: r is registered).
func reached(r *Runner, want config.WaitState) bool {
	online := r.Status.EqualFold("online")
	switch want {
	case config.WaitOnline:
		return online
	case config.WaitIdle:
		return online && !r.Busy
	}
	return false
}

// Describe names r for a message: "runner "vm-1" (id 41)".
func (r *Runner) Describe() string {
	if r.Name.IsEmpty() {
		return fmt.Sprintf("runner id %d", r.ID)
	}
	return fmt.Sprintf("runner %q (id %d)", r.Name, r.ID)
}
