package runners

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// PruneOutcome is what Prune did with a runner that matched its filters.
type PruneOutcome int

const (
	// Pruned: removed by this step.
	Pruned PruneOutcome = iota
	// WouldPrune: offline and idle, left alone by a dry run.
	WouldPrune
	// SkippedActive: online or busy when listed, never touched.
	SkippedActive
	// SkippedTookJob: GitHub refused the removal (422): it took a job
	// since it was listed.
	SkippedTookJob
	// SkippedGone: gone before this step removed it.
	SkippedGone
	// PruneFailed: the removal failed (Match.Err says why).
	PruneFailed
)

// Match is one runner that matched Prune's filters, and what became of it.
type Match struct {
	Runner  Runner
	Outcome PruneOutcome
	Err     error // for PruneFailed
}

// Prune removes t's offline, idle runners that match req's filters, one
// request each through the request policy; a failure does not stop the
// others. Online and busy runners are never touched, and a removal GitHub
// refuses because the runner took a job is a skip. When more runners than
// req.MaxRemovals would be removed, nothing is, unless it is a dry run.
// The matches come in the order GitHub lists them.
func Prune(ctx context.Context, c *github.Client, t target.Target, req config.PruneRequest) ([]Match, error) {
	all, err := List(ctx, c, t)
	if err != nil {
		return nil, err
	}
	var (
		matches    []Match
		candidates []Runner
	)
	for _, r := range all {
		if !match(r, req) {
			continue
		}
		m := Match{Runner: r, Outcome: SkippedActive}
		switch {
		case r.ID <= 0: // nothing to remove it by
			m.Outcome, m.Err = PruneFailed, errors.New("GitHub lists it without an id, so it cannot be removed")
		case r.Status.EqualFold("offline") && !r.Busy:
			m.Outcome = WouldPrune
			candidates = append(candidates, r)
		}
		matches = append(matches, m)
	}
	if req.DryRun {
		return matches, nil
	}
	if len(candidates) > req.MaxRemovals {
		return nil, tooMany(t, candidates, req.MaxRemovals)
	}
	for i, m := range matches {
		if m.Outcome != WouldPrune {
			continue
		}
		gone, err := Remove(ctx, c, t, m.Runner.ID)
		e, refused := errors.AsType[*githubapi.Error](err)
		switch {
		case refused && e.StatusCode == http.StatusUnprocessableEntity:
			matches[i].Outcome, matches[i].Err = SkippedTookJob, err
		case err != nil:
			matches[i].Outcome, matches[i].Err = PruneFailed, err
		case gone:
			matches[i].Outcome = SkippedGone
		default:
			matches[i].Outcome = Pruned
		}
	}
	return matches, nil
}

// match says whether r's name starts with req.Prefix (ignoring ASCII
// case, as GitHub compares names) and r carries every label in req.Labels.
func match(r Runner, req config.PruneRequest) bool {
	name := r.Name.Raw()
	if len(name) < len(req.Prefix) || !untrusted.Of(name[:len(req.Prefix)]).EqualFold(req.Prefix) {
		return false
	}
	return r.Lacks(req.Labels) == ""
}

// shownNames is how many runner names tooMany lists.
const shownNames = 5

// tooMany is the error for more runners to remove than maxRemovals, so that
// none was removed.
func tooMany(t target.Target, rs []Runner, maxRemovals int) error {
	var names []string
	for _, r := range rs[:min(len(rs), shownNames)] {
		names = append(names, fmt.Sprintf("%q", r.Name))
	}
	more := ""
	if n := len(rs) - shownNames; n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	return fmt.Errorf("%d offline, idle runners of %s match the filters (%s%s), more than max-removals (%d), so none was removed: "+
		"narrow runner-name-prefix or runner-labels, check them with dry-run: true, or raise max-removals",
		len(rs), t, strings.Join(names, ", "), more, maxRemovals)
}
