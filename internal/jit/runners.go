package jit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
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

// state is how an error message describes r, e.g. "offline, idle".
func (r *Runner) state() string {
	busy := "idle"
	if r.Busy {
		busy = "busy"
	}
	return untrusted.Clip(untrusted.Clean(r.Status), 20) + ", " + busy
}

// labelsShown are r's labels for a message: server text, made safe.
func (r *Runner) labelsShown() string {
	shown := make([]string, len(r.Labels))
	for i, l := range r.Labels {
		shown[i] = untrusted.Clean(l.Name)
	}
	return untrusted.Clip(strings.Join(shown, ", "), 200)
}

// removeHint says how to remove runner id from t by hand.
func removeHint(t target.Target, id int64) string {
	return fmt.Sprintf("remove it in %s's runner settings, or with gh api -X DELETE /%s/actions/runners/%d", t, t.APIPath(), id)
}

// LabelNames are r's labels' names.
func (r *Runner) LabelNames() []string {
	names := make([]string, len(r.Labels))
	for i, l := range r.Labels {
		names[i] = l.Name
	}
	return names
}

// findRunner returns t's runner named name, or nil if there is none.
// GitHub's name filter is exact; names are compared ignoring case all the
// same, as GitHub refuses a second runner whose name differs only in case.
func (m *Registrar) findRunner(ctx context.Context, t target.Target, name string) (*Runner, error) {
	var folded *Runner
	for page := 1; page <= maxPages; {
		var r struct {
			TotalCount int      `json:"total_count"`
			Runners    []Runner `json:"runners"`
		}
		q := url.Values{"name": {name}, "per_page": {strconv.Itoa(perPage)}, "page": {strconv.Itoa(page)}}
		// Not ListRunners: go-github's Runner has no runner_group_id, which
		// tells this run's runner from another's.
		resp, err := githubapi.Do(ctx, m.Client, githubapi.OpListRunners, http.MethodGet, t.APIPath()+"/actions/runners?"+q.Encode(), nil, &r)
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

// deleteRunner removes runner id from t. A runner that is already gone
// counts as removed.
func (m *Registrar) deleteRunner(ctx context.Context, t target.Target, id int64) error {
	c := m.Client
	_, err := githubapi.Call(ctx, c, githubapi.OpRemoveRunner, func(ctx context.Context) (*github.Response, error) {
		switch t.Scope {
		case target.Repository:
			return c.Actions.RemoveRunner(ctx, t.Owner, t.Repo, id)
		case target.Organization:
			return c.Actions.RemoveOrganizationRunner(ctx, t.Owner, id)
		}
		return c.Enterprise.RemoveRunner(ctx, t.Owner, id)
	})
	var e *githubapi.Error
	if errors.As(err, &e) && e.StatusCode == http.StatusNotFound && !e.NotJSON {
		return nil
	}
	if err != nil {
		return fmt.Errorf("removing runner id %d from %s: %w", id, t, err)
	}
	return nil
}

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
func unproven(r *Runner, req config.JITRequest, group RunnerGroup) string {
	switch {
	case r.Name != req.Name:
		// GitHub's 409 ignores case; this run registered its exact spelling.
		return fmt.Sprintf("it is named %q", r.Name)
	case !strings.EqualFold(r.Status, "offline"):
		return fmt.Sprintf("it is %s, and the registration this run lost was never started", untrusted.Clip(untrusted.Clean(r.Status), 20))
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
