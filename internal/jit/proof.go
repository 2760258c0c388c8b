package jit

import (
	"fmt"
	"strings"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/runners"
)

// unproven says why r cannot be the runner an earlier request of this run
// registered for req in group, or "" if it can only be that one.
//
// The caller has already established that a runner with req's name can
// only have come from this run (the name is generated, or it was free
// before this run's first request and a request of this run may have
// reached GitHub). This is the second half of the proof: the registration
// this run lost was never handed to anyone, so it is offline and has never
// taken a job; and it has the labels and group this run asked for. A
// runner failing any of these is someone else's, whatever its name.
func unproven(r *runners.Runner, req config.JITRequest, group RunnerGroup) string {
	switch {
	case r.Name != req.Name:
		// GitHub's 409 ignores case; this run registered its exact spelling.
		return fmt.Sprintf("it is named %q", r.Name)
	case !strings.EqualFold(r.Status, "offline"):
		return fmt.Sprintf("it is %s, and the registration this run lost was never started", r.StatusShown())
	case r.Busy:
		return "it is running a job"
	case r.GroupID != 0 && r.GroupID != group.ID:
		return fmt.Sprintf("it is in runner group id %d, not %s", r.GroupID, group)
	}
	have := map[string]bool{}
	for _, l := range r.Labels {
		have[strings.ToLower(l.Name)] = true
	}
	for _, l := range req.Labels {
		if !have[strings.ToLower(l)] {
			return fmt.Sprintf("it lacks the label %q this run asked for", l)
		}
	}
	return ""
}
