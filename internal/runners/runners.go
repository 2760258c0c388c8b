// Package runners holds the self-hosted runners already registered with a
// target: listing them, looking one up by id or by name, waiting on one, and
// removing them. The JIT transaction's undo and kinds delete-runner, wait
// and prune go through it.
package runners

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// Runner is a self-hosted runner as GitHub shows it: every string is the
// server's, held as untrusted.Text from the moment it is decoded.
type Runner struct {
	ID     int64          `json:"id"`
	Name   untrusted.Text `json:"name"`
	OS     untrusted.Text `json:"os"`
	Status untrusted.Text `json:"status"`
	Busy   bool           `json:"busy"`
	Labels []Label        `json:"labels"`
	// GroupID is sent by newer GitHub versions only; 0 when absent.
	GroupID int64 `json:"runner_group_id,omitempty"`
}

// Label is one of a runner's labels.
type Label struct {
	Name untrusted.Text `json:"name"`
}

func (l Label) String() string { return l.Name.String() }

// State is how a message describes r, e.g. "offline, idle".
func (r *Runner) State() string { return fmt.Sprintf("%s, %s", r.Status, r.Activity()) }

// Activity is "busy" for a runner running a job, else "idle".
func (r *Runner) Activity() string {
	if r.Busy {
		return "busy"
	}
	return "idle"
}

// RemoveHint says how to remove runner id from t by hand.
func RemoveHint(t target.Target, id int64) string {
	return fmt.Sprintf("remove it in %s's runner settings, or with gh api -X DELETE /%s/actions/runners/%d", t, t.APIPath(), id)
}

// Find returns t's runner named name, or nil if there is none. GitHub's
// name filter is exact; names are compared ignoring case all the same, as
// GitHub refuses a second runner whose name differs only in case.
func Find(ctx context.Context, c *github.Client, t target.Target, name string) (*Runner, error) {
	var exact, folded *Runner
	err := pages(ctx, c, t, url.Values{"name": {name}}, func(rs []Runner) bool {
		for i, x := range rs {
			if x.Name.Raw() == name {
				exact = &rs[i]
				return false
			}
			if folded == nil && x.Name.EqualFold(name) {
				folded = &rs[i]
			}
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("looking up runner %q in %s: %w", name, t, err)
	}
	return cmp.Or(exact, folded), nil
}

// List returns every runner t has (at most githubapi.MaxPages of them).
func List(ctx context.Context, c *github.Client, t target.Target) ([]Runner, error) {
	var all []Runner
	if err := pages(ctx, c, t, url.Values{}, func(rs []Runner) bool { all = append(all, rs...); return true }); err != nil {
		return nil, fmt.Errorf("listing the runners of %s: %w", t, err)
	}
	return all, nil
}

// pages lists t's runners with query q, page by page (at most
// githubapi.MaxPages), handing each page to each until it returns false.
func pages(ctx context.Context, c *github.Client, t target.Target, q url.Values, each func([]Runner) bool) error {
	_, err := githubapi.Pages(ctx, c, githubapi.OpListRunners, t.APIPath()+"/actions/runners", q, func(p *runnerPage) bool {
		return each(p.Runners)
	})
	return err
}

// runnerPage is one page of runners, decoded into Runner rather than
// go-github's type: that has no runner_group_id, which tells this run's
// runner from another's.
type runnerPage struct {
	Runners []Runner `json:"runners"`
}

// lookup returns the runner ref names in t by its id, or else by its name;
// nil if there is none.
func lookup(ctx context.Context, c *github.Client, t target.Target, ref config.RunnerRef) (*Runner, error) {
	if ref.ID != 0 {
		return Get(ctx, c, t, ref.ID)
	}
	return Find(ctx, c, t, ref.Name)
}

// Get returns t's runner id, or nil if GitHub has no such runner. A 404
// also comes from a target that does not exist or that the credential
// cannot see, so before it is taken to mean "no such runner" the target's
// runner list must answer.
func Get(ctx context.Context, c *github.Client, t target.Target, id int64) (*Runner, error) {
	var got Runner
	_, err := githubapi.Do(ctx, c, githubapi.OpGetRunner, http.MethodGet, fmt.Sprintf("%s/actions/runners/%d", t.APIPath(), id), nil, &got)
	if notFound(err) {
		// Listing one of t's runners tells "no such runner" from "no such
		// target, or no access to it".
		_, err = githubapi.Do(ctx, c, githubapi.OpListRunners, http.MethodGet, t.APIPath()+"/actions/runners?per_page=1", nil, nil)
		if err == nil {
			return nil, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("looking up runner id %d in %s: %w", id, t, err)
	}
	if got.ID != id {
		return nil, fmt.Errorf("looking up runner id %d in %s: GitHub answered with runner id %d", id, t, got.ID)
	}
	return &got, nil
}

// Remove removes runner id from t. gone says GitHub answered that there
// was no such runner (then err is nil), and no earlier try of this request
// may have removed it: someone else did.
func Remove(ctx context.Context, c *github.Client, t target.Target, id int64) (gone bool, err error) {
	_, err = githubapi.Do(ctx, c, githubapi.OpRemoveRunner, http.MethodDelete, fmt.Sprintf("%s/actions/runners/%d", t.APIPath(), id), nil, nil)
	if notFound(err) {
		return !githubapi.MayHaveApplied(err), nil
	}
	if err != nil {
		return false, fmt.Errorf("removing runner id %d from %s: %w", id, t, err)
	}
	return false, nil
}

// notFound says whether err is GitHub's own 404, not a web page's.
func notFound(err error) bool {
	e, ok := errors.AsType[*githubapi.Error](err)
	return ok && e.StatusCode == http.StatusNotFound && !e.NotJSON
}

// Lacks is the first label in want that r does not carry, compared
// ignoring ASCII case as GitHub compares labels, or "".
func (r *Runner) Lacks(want []string) string {
	for _, w := range want {
		if !slices.ContainsFunc(r.Labels, func(l Label) bool { return l.Name.EqualFold(w) }) {
			return w
		}
	}
	return ""
}
