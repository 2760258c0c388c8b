package jit

import (
	"fmt"

	"github.com/runnertoken/runner-token-action/internal/runners"
)

// doubt says why r may not be the runner this run's requests registered,
// when no answer of GitHub's named it, or "" if it can only be that one.
//
// The name must be this run's: unique to it, or answered with success to
// its request (a given name alone proves nothing, as another job may have
// registered it after this run checked it was free). Then the runner must
// be as this run's lost registration would be: never handed to anyone, so
// offline and never used, with the group and labels asked for.
func (tx *transaction) doubt(r *runners.Runner) string {
	switch {
	case !tx.req.Generated && tx.outcome != registered:
		return "its name was given as runner-name, and another job may have registered that name after this run checked it"
	case r.Name.Raw() != tx.req.Name:
		// GitHub's 409 ignores case; this run registered its exact spelling.
		return fmt.Sprintf("it is named %q", r.Name)
	case !r.Status.EqualFold("offline"):
		return fmt.Sprintf("it is %s, and the registration this run lost was never started", r.Status)
	case r.Busy:
		return "it is running a job"
	case r.GroupID != 0 && r.GroupID != tx.group.ID:
		return fmt.Sprintf("it is in runner group id %d, not %s", r.GroupID, tx.group)
	}
	if l := r.Lacks(tx.req.Labels); l != "" {
		return fmt.Sprintf("it lacks the label %q this run asked for", l)
	}
	return ""
}
