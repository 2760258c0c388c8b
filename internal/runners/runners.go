// Package runners holds the self-hosted runners already registered with a
// target: looking one up by id or by name, and removing one. Both the JIT
// transaction's clean-up and kind delete-runner go through it.
package runners

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// Runner is a self-hosted runner as GitHub shows it.
type Runner struct {
	ID     int64   `json:"id"`
	Name   string  `json:"name"`
	OS     string  `json:"os"`
	Status string  `json:"status"`
	Busy   bool    `json:"busy"`
	Labels []Label `json:"labels"`
	// GroupID is sent by newer GitHub versions only; 0 when absent.
	GroupID int64 `json:"runner_group_id,omitempty"`
}

// Label is one of a runner's labels.
type Label struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// NameShown is r's name for a message: server text, made safe and short.
func (r *Runner) NameShown() string { return untrusted.Clip(untrusted.Clean(r.Name), 80) }

// StatusShown is r's status for a message, e.g. "offline": server text,
// made safe and short.
func (r *Runner) StatusShown() string { return untrusted.Clip(untrusted.Clean(r.Status), 20) }

// State is how a message describes r, e.g. "offline, idle".
func (r *Runner) State() string {
	busy := "idle"
	if r.Busy {
		busy = "busy"
	}
	return r.StatusShown() + ", " + busy
}

// LabelsShown are r's labels for a message: server text, made safe.
func (r *Runner) LabelsShown() string {
	shown := make([]string, len(r.Labels))
	for i, l := range r.Labels {
		shown[i] = untrusted.Clean(l.Name)
	}
	return untrusted.Clip(strings.Join(shown, ", "), 200)
}

// LabelNames are r's labels' names.
func (r *Runner) LabelNames() []string {
	names := make([]string, len(r.Labels))
	for i, l := range r.Labels {
		names[i] = l.Name
	}
	return names
}

// RemoveHint says how to remove runner id from t by hand.
func RemoveHint(t target.Target, id int64) string {
	return fmt.Sprintf("remove it in %s's runner settings, or with gh api -X DELETE /%s/actions/runners/%d", t, t.APIPath(), id)
}

// Find returns t's runner named name, or nil if there is none. GitHub's
// name filter is exact; names are compared ignoring case all the same, as
// GitHub refuses a second runner whose name differs only in case.
func Find(ctx context.Context, c *github.Client, t target.Target, name string) (*Runner, error) {
	var folded *Runner
	for page := 1; page <= githubapi.MaxPages; {
		var r struct {
			TotalCount int      `json:"total_count"`
			Runners    []Runner `json:"runners"`
		}
		q := url.Values{"name": {name}, "per_page": {strconv.Itoa(githubapi.PerPage)}, "page": {strconv.Itoa(page)}}
		// Not ListRunners: go-github's Runner has no runner_group_id, which
		// tells this run's runner from another's.
		resp, err := githubapi.Do(ctx, c, githubapi.OpListRunners, http.MethodGet, t.APIPath()+"/actions/runners?"+q.Encode(), nil, &r)
		if err != nil {
			return nil, fmt.Errorf("looking up runner %q in %s: %w", name, t, err)
		}
		for i, x := range r.Runners {
			if x.Name == name {
				return &r.Runners[i], nil
			}
			if folded == nil && strings.EqualFold(x.Name, name) {
				folded = &r.Runners[i]
			}
		}
		if resp.NextPage <= page {
			break
		}
		page = resp.NextPage
	}
	return folded, nil
}

// Get returns t's runner id, or nil if GitHub has no such runner. A 404
// also comes from a target that does not exist or that the credential
// cannot see, so before it is taken to mean "no such runner" the target's
// runner list must answer.
func Get(ctx context.Context, c *github.Client, t target.Target, id int64) (*Runner, error) {
	var got *github.Runner
	_, err := githubapi.Call(ctx, c, githubapi.OpGetRunner, func(ctx context.Context) (resp *github.Response, err error) {
		switch t.Scope {
		case target.Repository:
			got, resp, err = c.Actions.GetRunner(ctx, t.Owner, t.Repo, id)
		case target.Organization:
			got, resp, err = c.Actions.GetOrganizationRunner(ctx, t.Owner, id)
		default:
			got, resp, err = c.Enterprise.GetRunner(ctx, t.Owner, id)
		}
		return resp, err
	})
	if notFound(err) {
		if err = reachable(ctx, c, t); err == nil {
			return nil, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("looking up runner id %d in %s: %w", id, t, err)
	}
	if got.GetID() != id {
		return nil, fmt.Errorf("looking up runner id %d in %s: GitHub answered with runner id %d", id, t, got.GetID())
	}
	r := &Runner{ID: id, Name: got.GetName(), OS: got.GetOS(), Status: got.GetStatus(), Busy: got.GetBusy()}
	for _, l := range got.Labels {
		r.Labels = append(r.Labels, Label{ID: l.GetID(), Name: l.GetName(), Type: l.GetType()})
	}
	return r, nil
}

// reachable lists one of t's runners, to tell "no such runner" from "no
// such target, or no access to it".
func reachable(ctx context.Context, c *github.Client, t target.Target) error {
	var v struct {
		TotalCount int `json:"total_count"`
	}
	_, err := githubapi.Do(ctx, c, githubapi.OpListRunners, http.MethodGet, t.APIPath()+"/actions/runners?per_page=1", nil, &v)
	return err
}

// Remove removes runner id from t. gone says GitHub answered that there
// was no such runner (then err is nil), and no earlier try of this request
// may have removed it: someone else did.
func Remove(ctx context.Context, c *github.Client, t target.Target, id int64) (gone bool, err error) {
	_, err = githubapi.Call(ctx, c, githubapi.OpRemoveRunner, func(ctx context.Context) (*github.Response, error) {
		switch t.Scope {
		case target.Repository:
			return c.Actions.RemoveRunner(ctx, t.Owner, t.Repo, id)
		case target.Organization:
			return c.Actions.RemoveOrganizationRunner(ctx, t.Owner, id)
		}
		return c.Enterprise.RemoveRunner(ctx, t.Owner, id)
	})
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
	var e *githubapi.Error
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound && !e.NotJSON
}
