// Package target holds what a runner credential is minted for: a repository,
// an organization or an enterprise, and the names GitHub gives each of them
// in API paths and in the URL that config.sh registers a runner against.
package target

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Scope is the level at which runners are registered, named as the input
// that sets it.
type Scope string

const (
	Repository   Scope = "repository"
	Organization Scope = "organization"
	Enterprise   Scope = "enterprise"
)

// Target is one repository, organization or enterprise.
type Target struct {
	Scope Scope
	// Owner is the repository's owner, the organization or the enterprise slug.
	Owner string
	// Repo is the repository name; empty for the other scopes.
	Repo string
}

// String names the target the way a user wrote it, e.g.
// "repository octo-org/app".
func (t Target) String() string {
	return string(t.Scope) + " " + t.Name()
}

// Name is "owner/repo" for a repository, else the organization or enterprise.
func (t Target) Name() string {
	if t.Scope == Repository {
		return t.Owner + "/" + t.Repo
	}
	return t.Owner
}

// APIPath is the target's path below the API root, without leading or
// trailing slash: "repos/o/r", "orgs/o" or "enterprises/e". Each part is
// path-escaped, although validation already keeps them to safe characters.
func (t Target) APIPath() string {
	switch t.Scope {
	case Repository:
		return "repos/" + url.PathEscape(t.Owner) + "/" + url.PathEscape(t.Repo)
	case Organization:
		return "orgs/" + url.PathEscape(t.Owner)
	case Enterprise:
		return "enterprises/" + url.PathEscape(t.Owner)
	}
	return ""
}

// RunnerURL is what `config.sh --url` takes for this target on the GitHub
// web host server (e.g. https://github.com or https://ghes.example.com):
// its scheme, host and path only, never its user, query or fragment.
func (t Target) RunnerURL(server *url.URL) string {
	u := url.URL{Scheme: server.Scheme, Host: server.Host, Path: strings.TrimSuffix(server.Path, "/")}
	switch t.Scope {
	case Repository, Organization:
		u.Path += "/" + t.Name()
	case Enterprise:
		u.Path += "/enterprises/" + t.Owner
	}
	return u.String()
}

// GitHub's rules, kept a little looser than github.com's own (GHES allows
// underscores in logins synced from LDAP) but tight enough that a value can
// never change the shape of an API path.
var (
	loginRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,98}[A-Za-z0-9_])?$`)
	repoRE  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
	slugRE  = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,98}[A-Za-z0-9])?$`)
)

// ParseRepository parses "owner/name".
func ParseRepository(s string) (Target, error) {
	if strings.Contains(s, "://") || strings.HasPrefix(s, "github.com/") {
		return Target{}, fmt.Errorf("invalid target: repository %q: give it as owner/name, not a URL", s)
	}
	owner, repo, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(repo, "/") {
		return Target{}, fmt.Errorf("invalid target: repository %q: expected owner/name, e.g. octo-org/app", s)
	}
	repo = strings.TrimSuffix(repo, ".git")
	if !loginRE.MatchString(owner) {
		return Target{}, fmt.Errorf("invalid target: repository %q: %q is not a valid owner name", s, owner)
	}
	if !repoRE.MatchString(repo) || repo == "." || repo == ".." {
		return Target{}, fmt.Errorf("invalid target: repository %q: %q is not a valid repository name (letters, digits, '.', '-' and '_')", s, repo)
	}
	return Target{Scope: Repository, Owner: owner, Repo: repo}, nil
}

// ParseOrganization parses an organization login.
func ParseOrganization(s string) (Target, error) {
	if !loginRE.MatchString(s) {
		return Target{}, fmt.Errorf("invalid target: organization %q: expected an organization login such as octo-org (letters, digits and '-')", s)
	}
	return Target{Scope: Organization, Owner: s}, nil
}

// ParseEnterprise parses an enterprise slug, as in
// https://github.com/enterprises/SLUG.
func ParseEnterprise(s string) (Target, error) {
	if !slugRE.MatchString(s) {
		return Target{}, fmt.Errorf("invalid target: enterprise %q: expected the enterprise's slug, as in https://github.com/enterprises/SLUG (letters, digits and '-')", s)
	}
	return Target{Scope: Enterprise, Owner: s}, nil
}

// RunnerPermission is the permission a GitHub App or a fine-grained token
// needs, at write level, to manage t's self-hosted runners: its API name,
// and its label on GitHub's settings pages. An enterprise has none: only a
// classic token's manage_runners:enterprise scope manages its runners.
func (t Target) RunnerPermission() (name, label string) {
	switch t.Scope {
	case Repository:
		return "administration", `repository permission "Administration: write"`
	case Organization:
		return "organization_self_hosted_runners", `organization permission "Self-hosted runners: write"`
	}
	return "", ""
}
