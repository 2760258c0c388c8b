package mint

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
)

// NoGitHubToken says plainly what every user who tries it needs to hear.
const NoGitHubToken = "The workflow's GITHUB_TOKEN can never mint runner credentials, whatever its permissions."

// Permission says which credential can manage self-hosted runners of the
// target's scope.
func Permission(t target.Target) string {
	switch t.Scope {
	case target.Repository:
		return fmt.Sprintf("admin rights on %s: a classic personal access token with the repo scope from a repository admin, or a fine-grained token or GitHub App with the repository permission \"Administration: write\"", t.Name())
	case target.Organization:
		return fmt.Sprintf("owner rights on organization %s: a classic personal access token with the admin:org scope from an organization owner, or a fine-grained token or GitHub App with the organization permission \"Self-hosted runners: write\"", t.Name())
	case target.Enterprise:
		return fmt.Sprintf("enterprise runner management on %s: a classic personal access token with the manage_runners:enterprise scope from an enterprise owner", t.Name())
	}
	return ""
}

// Advice returns what the user should do about err, as a sentence to append
// to it (with a leading ". "), or "" when there is nothing specific to say.
func Advice(err error, t target.Target) string {
	var e *githubapi.Error
	switch {
	case errors.Is(err, githubapi.ErrRedirectElsewhere):
		return ""
	case errors.Is(err, githubapi.ErrNotJSON):
		return ". Check that api-url is the REST API's URL (https://api.github.com, https://HOST/api/v3 for GHES, https://api.SUBDOMAIN.ghe.com for GHE.com), not the web URL"
	case !errors.As(err, &e):
		return ""
	case e.RateLimited:
		if !e.RateLimitReset.IsZero() {
			return fmt.Sprintf(". GitHub's API rate limit for this credential is used up until %s; try again after that", e.RateLimitReset.UTC().Format("2006-01-02 15:04:05 MST"))
		}
		return ". GitHub is rate limiting this credential; wait a minute and try again"
	case e.NotJSON && (e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusMethodNotAllowed):
		return ". That is not the GitHub REST API answering: check api-url (https://api.github.com, https://HOST/api/v3 for GHES, https://api.SUBDOMAIN.ghe.com for GHE.com)"
	}
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return ". The credential is bad, expired or revoked, or belongs to another GitHub host than api-url: check the secret passed as token"
	case http.StatusForbidden:
		return ". The credential lacks permission: it needs " + Permission(t) + ". " + NoGitHubToken
	case http.StatusNotFound:
		return fmt.Sprintf(". The %s does not exist or this credential cannot see it: check the name, and that the credential has ", t.Scope) + Permission(t) + ". " + NoGitHubToken
	}
	if e.StatusCode == http.StatusNotImplemented {
		return ". The server does not implement this request: check that api-url is the GitHub REST API (https://api.github.com, https://HOST/api/v3 for GHES)"
	}
	if e.StatusCode >= 500 {
		return ". GitHub had a server error; try again, and check https://www.githubstatus.com"
	}
	return ""
}
