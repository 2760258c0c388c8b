package jit

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// RunnerGroup is a runner group as GitHub lists it.
type RunnerGroup struct {
	ID        int64          `json:"id"`
	Name      untrusted.Text `json:"name"`
	Default   bool           `json:"default"`
	Inherited bool           `json:"inherited"`
}

func (g RunnerGroup) String() string { return fmt.Sprintf("%q (id %d)", g.Name, g.ID) }

// defaultRepositoryGroup is the one group a repository's runners are in;
// GitHub's default group has id 1 and needs no listing.
var defaultRepositoryGroup = RunnerGroup{ID: config.DefaultGroupID, Name: untrusted.Of(config.DefaultGroupName), Default: true}

// maxListed bounds how many group names an error message lists.
const maxListed = 20

// resolveGroup finds the group g names for t. A repository's group is the
// default one without a request; an organization's or enterprise's groups
// are listed, so that a name can be matched, the default group found, and
// an id checked before the runner is registered (a wrong id would
// otherwise come back from the POST as a bare 404 that reads like a wrong
// target).
func (m *Registrar) resolveGroup(ctx context.Context, t target.Target, g config.Group) (RunnerGroup, error) {
	if t.Scope == target.Repository {
		if err := config.CheckGroupForRepository(g); err != nil {
			return RunnerGroup{}, err
		}
		return defaultRepositoryGroup, nil
	}
	groups, complete, err := m.listGroups(ctx, t)
	if err != nil {
		return RunnerGroup{}, fmt.Errorf("listing the runner groups of %s: %w", t, err)
	}
	if found, ok := pickGroup(groups, g); ok {
		return found, nil
	}
	missing := fmt.Sprintf("runner group not found: %s has no runner group %s that this credential can see", t, g)
	if g.IsDefault() {
		missing = fmt.Sprintf("no default runner group: the runner groups of %s include none marked default", t)
	}
	return RunnerGroup{}, fmt.Errorf("%s; set runner-group to one of: %s", missing, describeGroups(groups, complete))
}

// pickGroup matches g against the listing. An id matches a group's id
// first; failing that, digits may be a group's name. A name matches
// exactly, or else ignoring case as config.sh --runnergroup does, if that
// is unambiguous. The default group is the one marked default that the
// target owns, in preference to one inherited from an enterprise.
func pickGroup(groups []RunnerGroup, g config.Group) (RunnerGroup, bool) {
	if g.IsDefault() {
		i := slices.IndexFunc(groups, func(x RunnerGroup) bool { return x.Default && !x.Inherited })
		if i < 0 {
			i = slices.IndexFunc(groups, func(x RunnerGroup) bool { return x.Default })
		}
		if i < 0 {
			return RunnerGroup{}, false
		}
		return groups[i], true
	}
	name := g.Name
	if g.ID != 0 {
		if i := slices.IndexFunc(groups, func(x RunnerGroup) bool { return x.ID == g.ID }); i >= 0 {
			return groups[i], true
		}
		name = strconv.FormatInt(g.ID, 10)
	}
	var folded []RunnerGroup
	for _, x := range groups {
		if x.Name.Raw() == name {
			return x, true
		}
		if x.Name.EqualFold(name) {
			folded = append(folded, x)
		}
	}
	if len(folded) == 1 {
		return folded[0], true
	}
	return RunnerGroup{}, false
}

// listGroups lists every runner group of an organization or enterprise.
// complete is false when it stopped at githubapi.MaxPages.
func (m *Registrar) listGroups(ctx context.Context, t target.Target) (groups []RunnerGroup, complete bool, err error) {
	complete, err = githubapi.Pages(ctx, m.Client, githubapi.OpListGroups, t.APIPath()+"/actions/runner-groups", nil, func(p *groupPage) bool {
		groups = append(groups, p.Groups...)
		return true
	})
	return groups, complete, err
}

// groupPage is one page of runner groups.
type groupPage struct {
	Groups []RunnerGroup `json:"runner_groups"`
}

// describeGroups shows the groups for an error message, at most maxListed
// of them.
func describeGroups(groups []RunnerGroup, complete bool) string {
	if len(groups) == 0 {
		return "(none listed)"
	}
	var names []string
	for _, g := range groups[:min(len(groups), maxListed)] {
		names = append(names, g.String())
	}
	if n := len(groups) - maxListed; n > 0 {
		names = append(names, fmt.Sprintf("and %d more", n))
	}
	if !complete {
		return fmt.Sprintf("%s (listing stopped after %d)", strings.Join(names, ", "), githubapi.MaxPages*githubapi.PerPage)
	}
	return strings.Join(names, ", ")
}
