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
)

// Deletion is what Delete did.
type Deletion struct {
	// Runner is the runner as found; for one already gone, only what ref
	// said of it.
	Runner Runner
	// Deleted says the runner was registered when the step looked, and is
	// removed now: by this step's request, or by an earlier try of it.
	Deleted bool
	// Meanwhile says the runner was found, then was gone before this step
	// removed it: someone else did.
	Meanwhile bool
}

// Delete removes the runner ref names from t, unless it is running a job.
// A runner that is already gone is no failure: Deleted is false.
func Delete(ctx context.Context, c *github.Client, t target.Target, ref config.RunnerRef) (*Deletion, error) {
	var (
		run *Runner
		err error
	)
	if ref.ID != 0 {
		run, err = Get(ctx, c, t, ref.ID)
	} else {
		run, err = Find(ctx, c, t, ref.Name)
	}
	if err != nil {
		return nil, err
	}
	if run == nil {
		return &Deletion{Runner: Runner{ID: ref.ID, Name: ref.Name}}, nil
	}
	if run.ID <= 0 {
		return nil, fmt.Errorf("GitHub lists runner %q in %s without an id, so it cannot be removed", run.NameShown(), t)
	}
	if run.Busy {
		return nil, &BusyError{Target: t, Runner: run}
	}
	gone, err := Remove(ctx, c, t, run.ID)
	if e, ok := errors.AsType[*githubapi.Error](err); ok && e.StatusCode == http.StatusUnprocessableEntity {
		// It was idle when looked up: it may have taken a job since.
		return nil, &BusyError{Target: t, Runner: run, Refusal: e}
	}
	if err != nil {
		return nil, err
	}
	return &Deletion{Runner: *run, Deleted: !gone, Meanwhile: gone}, nil
}

// BusyError is returned for a runner that is running a job: it is never
// removed, as that would fail the job.
type BusyError struct {
	Target target.Target
	Runner *Runner
	// Refusal is GitHub's answer when it refused the removal itself.
	Refusal error
}

func (e *BusyError) Error() string {
	name := e.Runner.NameShown()
	msg := fmt.Sprintf("runner %q (id %d, %s) in %s is running a job, so it was not removed", name, e.Runner.ID, e.Runner.State(), e.Target)
	if e.Refusal != nil {
		msg = fmt.Sprintf("GitHub refused to remove runner %q (id %d, %s when looked up) from %s: %v; it may have taken a job since", name, e.Runner.ID, e.Runner.State(), e.Target, e.Refusal)
	}
	return msg + ". Let the job finish or cancel it, then run this step again; an ephemeral runner removes itself after its job"
}

func (e *BusyError) Unwrap() error { return e.Refusal }
