// Package advice says what a user should do about a failure: one table maps
// what GitHub answered (its status and words), to which call
// (githubapi.Op), for which target and credential, to sentences. Only the
// step's edge asks it, once, for the error it reports.
package advice

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
)

// Situation is what the step was doing when it failed.
type Situation struct {
	Target target.Target
	// App is the GitHub App's ID when the credential is an App, else "".
	App string
	// Group is the runner group asked for, for kind jit.
	Group config.Group
}

// noGitHubToken says plainly what every user who tries it needs to hear.
const noGitHubToken = "The workflow's GITHUB_TOKEN can never mint runner credentials, whatever its permissions."

// For is the advice for err in s, as one or more sentences, or "" when
// there is nothing specific to say. Its switch is the one table: what
// GitHub answered (the status, and its words where the status alone does
// not tell), to which call, for which target and credential; the first
// case that matches says what to do.
func For(err error, s Situation) string {
	if errors.Is(err, githubapi.ErrNotJSON) {
		return "Check that api-url is the REST API's URL (" + apiURLs + "), not the web URL"
	}
	var e *githubapi.Error
	if !errors.As(err, &e) {
		return ""
	}
	// The App's own requests, made with its JWT: GitHub's 401, 403, 404 and
	// 422 then speak of the app, not of a token.
	jwt := s.App != "" && (e.Op == githubapi.OpFindInstallation || e.Op == githubapi.OpInstallationToken)
	jit := e.Op == githubapi.OpRegisterJIT
	t := s.Target
	// GitHub's words tell apart some answers that share a status.
	status, msg := e.StatusCode, strings.ToLower(e.Message.Raw())
	skew := status == http.StatusUnauthorized && clockSkew(msg)
	suspended := status == http.StatusForbidden && strings.Contains(msg, "suspended")
	outside := status == http.StatusUnprocessableEntity && strings.Contains(msg, "not accessible to the parent installation")
	invalid := (status == http.StatusBadRequest || status == http.StatusUnprocessableEntity) && !outside
	switch {
	case e.RateLimited && !e.Reset.IsZero():
		return fmt.Sprintf("GitHub's API rate limit for this credential is used up until %s; try again after that", e.Reset.UTC().Format("2006-01-02 15:04:05 MST"))
	case e.RateLimited:
		return "GitHub is rate limiting this credential: try again in a minute, and if many jobs share it, raise timeout or start fewer at once (README: Many jobs at once)"
	case e.NotJSON && (status == http.StatusNotFound || status == http.StatusMethodNotAllowed):
		return "That is not the GitHub REST API answering: check api-url (" + apiURLs + ")"
	case status == http.StatusNotImplemented:
		return "The server does not implement this request: check that api-url is the GitHub REST API (https://api.github.com, https://HOST/api/v3 for GHES)"
	case status >= 500:
		return "GitHub had a server error; try again, and check https://www.githubstatus.com"

	case jwt && skew:
		return "GitHub refused the app's JWT because of its time claims: this runner's clock is off. " +
			"Set it right (e.g. with NTP); the JWT already allows for 60 seconds ahead and 9 minutes behind"
	case jwt && status == http.StatusUnauthorized:
		return fmt.Sprintf("GitHub could not verify the app's JWT: the private key does not belong to the GitHub App with id %s, "+
			"or app-id is wrong, or the key was deleted. Use the App ID or Client ID from the app's settings page and a private key generated there", s.App)
	case jwt && status == http.StatusNotFound && e.Op == githubapi.OpFindInstallation && t.Scope == target.Repository:
		return fmt.Sprintf("The GitHub App (id %s) is not installed on repository %s (or the repository does not exist): "+
			"install it on %s from the app's settings page (Install App), with access to all repositories or to %s, or check app-id",
			s.App, t.Name(), t.Owner, t.Repo)
	case jwt && status == http.StatusNotFound && e.Op == githubapi.OpFindInstallation:
		return fmt.Sprintf("The GitHub App (id %s) is not installed on %s (or it does not exist): install it there from the app's settings page (Install App), or check app-id",
			s.App, t)
	case jwt && outside:
		return fmt.Sprintf("The app's installation on %s does not include repository %s: add it under the installation's Repository access", t.Owner, t.Name())
	case jwt && invalid:
		name, label := t.RunnerPermission()
		return fmt.Sprintf("The app's installation on %s has not been granted the %s (%s: write). "+
			"Add it in the app's settings (Permissions & events), then have an owner of %s accept the new permissions in the installation's settings",
			t.Owner, label, name, t.Owner)
	case jwt && suspended:
		return fmt.Sprintf("The app's installation on %s is suspended: an owner of %s can unsuspend it in the installation's settings", t.Owner, t.Owner)
	case jwt, skew, suspended:
		// The advice below is a token's: it would mislead about the app's
		// own requests, and about answers that speak of the app.
		return ""

	case jit && invalid:
		return fmt.Sprintf("GitHub refused the runner's settings: check runner-labels (1 to %d labels, each at most %d characters), runner-name (at most %d characters), runner-group and work-folder",
			config.MaxLabels, config.MaxLabelLength, config.MaxNameLength)
	case jit && status == http.StatusNotFound && e.EnterpriseBefore(3, 10):
		return fmt.Sprintf("This server is GitHub Enterprise Server %s, which has no just-in-time runner API (it came in 3.10): use kind: registration, or upgrade the server", e.EnterpriseVersion)
	case jit && status == http.StatusNotFound && t.Scope != target.Repository:
		return notFound(t) + " Or runner group " + s.Group.String() + " was removed meanwhile"
	case jit && status == http.StatusForbidden && t.Scope != target.Repository && !s.Group.IsDefault():
		return noPermission(t) + " If the credential has that, runner group " + s.Group.String() + " may not accept self-hosted runners: pick another runner-group"

	case status == http.StatusUnauthorized:
		return "The credential is bad, expired or revoked, or belongs to another GitHub host than api-url: check the secret passed as token"
	case status == http.StatusForbidden:
		return noPermission(t)
	case status == http.StatusNotFound:
		return notFound(t)
	}
	return ""
}

// clockSkew recognises GitHub's answers about a JWT's iat or exp claim,
// e.g. "'Expiration time' claim ('exp') is too far in the future".
func clockSkew(lower string) bool {
	return slices.ContainsFunc([]string{"('iat')", "('exp')", "issued at", "expiration time"}, func(s string) bool {
		return strings.Contains(lower, s)
	})
}

const apiURLs = "https://api.github.com, https://HOST/api/v3 for GHES, https://api.SUBDOMAIN.ghe.com for GHE.com"

func noPermission(t target.Target) string {
	return "The credential lacks permission: it needs " + permission(t) + ". " + noGitHubToken
}

func notFound(t target.Target) string {
	return fmt.Sprintf("The %s does not exist or this credential cannot see it: check the name, and that the credential has %s. %s", t.Scope, permission(t), noGitHubToken)
}

// permission says which credential can manage self-hosted runners of the
// target's scope.
func permission(t target.Target) string {
	_, label := t.RunnerPermission()
	switch t.Scope {
	case target.Repository:
		return fmt.Sprintf("admin rights on %s: a classic personal access token with the repo scope from a repository admin, or a fine-grained token or GitHub App with the %s", t.Name(), label)
	case target.Organization:
		return fmt.Sprintf("owner rights on organization %s: a classic personal access token with the admin:org scope from an organization owner, or a fine-grained token or GitHub App with the %s", t.Name(), label)
	case target.Enterprise:
		return fmt.Sprintf("enterprise runner management on %s: a classic personal access token with the manage_runners:enterprise scope from an enterprise owner", t.Name())
	}
	return ""
}
