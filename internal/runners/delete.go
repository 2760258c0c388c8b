package runners

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// Outcome is what Delete found and did.
type Outcome int

const (
	// NotRegistered: no such runner when the step looked.
	NotRegistered Outcome = iota
	// Removed: registered when the step looked, and removed now by this
	// step's request (or by an earlier try of it).
	Removed
	// RemovedByOther: found, then gone before this step removed it.
	RemovedByOther
)

// Delete removes the runner ref names from t, unless it is running a job,
// and returns it as found (for one not registered, only what ref said of
// it) and what became of it. A runner that is not registered is no
// failure.
func Delete(ctx context.Context, c *github.Client, t target.Target, ref config.RunnerRef) (*Runner, Outcome, error) {
	run, err := lookup(ctx, c, t, ref)
	switch {
	case err != nil:
		return nil, 0, err
	case run == nil:
		return &Runner{ID: ref.ID, Name: untrusted.Of(ref.Name)}, NotRegistered, nil
	case run.ID <= 0:
		return nil, 0, fmt.Errorf("GitHub lists runner %q in %s without an id, so it cannot be removed", run.Name, t)
	case run.Busy:
		return nil, 0, fmt.Errorf("runner %q (id %d, %s) in %s is running a job, so it was not removed. %s", run.Name, run.ID, run.State(), t, letItFinish)
	}
	gone, err := Remove(ctx, c, t, run.ID)
	if e, ok := errors.AsType[*githubapi.Error](err); ok && e.StatusCode == http.StatusUnprocessableEntity {
		// It was idle when looked up: it may have taken a job since.
		return nil, 0, fmt.Errorf("GitHub refused to remove runner %q (id %d, %s when looked up) from %s: %w; it may have taken a job since. %s", run.Name, run.ID, run.State(), t, e, letItFinish)
	}
	if err != nil {
		return nil, 0, err
	}
	if gone {
		return run, RemovedByOther, nil
	}
	return run, Removed, nil
}

// letItFinish ends the error for a runner running a job: it is never
// removed, as that would fail the job.
const letItFinish = "Let the job finish or cancel it, then run this step again; an ephemeral runner removes itself after its job"
