// Package advice says what a user should do about a failure: one table maps
// what GitHub answered (githubapi.Hint), to which call (githubapi.Op), for
// which target and credential, to a sentence. Only the step's edge asks it,
// once, for the error it reports.
package advice

import (
	"errors"
	"fmt"
	"slices"

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

// NoGitHubToken says plainly what every user who tries it needs to hear.
const NoGitHubToken = "The workflow's GITHUB_TOKEN can never mint runner credentials, whatever its permissions."

// For is the advice for err in s, as one or more sentences, or "" when
// there is nothing specific to say.
func For(err error, s Situation) string {
	if errors.Is(err, githubapi.ErrNotJSON) {
		return "Check that api-url is the REST API's URL (" + apiURLs + "), not the web URL"
	}
	var e *githubapi.Error
	if !errors.As(err, &e) {
		return ""
	}
	for _, r := range rules {
		if r.matches(e, s) {
			return r.say(e, s)
		}
	}
	return ""
}

// rule is one row of the table: a hint, for some calls (none: any), for an
// App's own requests or not, maybe a further condition; the first row that
// matches says what to do.
type rule struct {
	hint githubapi.Hint
	ops  []githubapi.Op
	// jwt: only for the requests made with an App's JWT.
	jwt  bool
	when func(e *githubapi.Error, s Situation) bool
	say  func(e *githubapi.Error, s Situation) string
}

func (r rule) matches(e *githubapi.Error, s Situation) bool {
	if e.Hint != r.hint || r.jwt && !(s.App != "" && isJWT(e.Op)) {
		return false
	}
	if len(r.ops) > 0 && !slices.Contains(r.ops, e.Op) {
		return false
	}
	return r.when == nil || r.when(e, s)
}

// isJWT says whether op is made with the App's JWT: GitHub's 401, 403, 404
// and 422 then speak of the app, not of a personal access token.
func isJWT(op githubapi.Op) bool {
	return op == githubapi.OpFindInstallation || op == githubapi.OpInstallationToken
}

const apiURLs = "https://api.github.com, https://HOST/api/v3 for GHES, https://api.SUBDOMAIN.ghe.com for GHE.com"

func text(s string) func(*githubapi.Error, Situation) string {
	return func(*githubapi.Error, Situation) string { return s }
}

var rules = []rule{
	{hint: githubapi.HintRateLimited, when: func(e *githubapi.Error, _ Situation) bool { return !e.RateLimitReset.IsZero() },
		say: func(e *githubapi.Error, _ Situation) string {
			return fmt.Sprintf("GitHub's API rate limit for this credential is used up until %s; try again after that", e.RateLimitReset.UTC().Format("2006-01-02 15:04:05 MST"))
		}},
	{hint: githubapi.HintRateLimited, say: text("GitHub is rate limiting this credential; wait a minute and try again")},
	{hint: githubapi.HintNotAPI, say: text("That is not the GitHub REST API answering: check api-url (" + apiURLs + ")")},
	{hint: githubapi.HintNotImplemented, say: text("The server does not implement this request: check that api-url is the GitHub REST API (https://api.github.com, https://HOST/api/v3 for GHES)")},
	{hint: githubapi.HintServerError, say: text("GitHub had a server error; try again, and check https://www.githubstatus.com")},

	// The App's own requests, with its JWT.
	{hint: githubapi.HintClockSkew, jwt: true, say: text("GitHub refused the app's JWT because of its time claims: this runner's clock is off. " +
		"Set it right (e.g. with NTP); the JWT already allows for 60 seconds ahead and 9 minutes behind")},
	{hint: githubapi.HintBadCredential, jwt: true, say: func(_ *githubapi.Error, s Situation) string {
		return fmt.Sprintf("GitHub could not verify the app's JWT: the private key does not belong to the GitHub App with id %s, "+
			"or app-id is wrong, or the key was deleted. Use the App ID or Client ID from the app's settings page and a private key generated there", s.App)
	}},
	{hint: githubapi.HintNotFound, jwt: true, ops: []githubapi.Op{githubapi.OpFindInstallation}, say: notInstalled},
	{hint: githubapi.HintNotAccessible, jwt: true, say: func(_ *githubapi.Error, s Situation) string {
		return fmt.Sprintf("The app's installation on %s does not include repository %s: add it under the installation's Repository access", s.Target.Owner, s.Target.Name())
	}},
	{hint: githubapi.HintInvalid, jwt: true, say: lacksPermission},
	{hint: githubapi.HintSuspended, jwt: true, say: func(_ *githubapi.Error, s Situation) string {
		return fmt.Sprintf("The app's installation on %s is suspended: an owner of %s can unsuspend it in the installation's settings", s.Target.Owner, s.Target.Owner)
	}},
	// Anything else the JWT requests meet is about the app, not a token:
	// the token advice below would mislead.
	{hint: githubapi.HintNoPermission, jwt: true, say: text("")},
	{hint: githubapi.HintNotFound, jwt: true, say: text("")},

	// Registering a JIT runner.
	{hint: githubapi.HintInvalid, ops: []githubapi.Op{githubapi.OpRegisterJIT}, say: func(*githubapi.Error, Situation) string {
		return fmt.Sprintf("GitHub refused the runner's settings: check runner-labels (%d to %d labels, each at most %d characters), runner-name (at most %d characters), runner-group and work-folder",
			config.MinLabels, config.MaxLabels, config.MaxLabelLength, config.MaxNameLength)
	}},
	{hint: githubapi.HintNotFound, ops: []githubapi.Op{githubapi.OpRegisterJIT}, when: func(e *githubapi.Error, _ Situation) bool { return e.EnterpriseBefore(3, 10) },
		say: func(e *githubapi.Error, _ Situation) string {
			return fmt.Sprintf("This server is GitHub Enterprise Server %s, which has no just-in-time runner API (it came in 3.10): use kind: registration, or upgrade the server", e.EnterpriseVersion)
		}},
	{hint: githubapi.HintNotFound, ops: []githubapi.Op{githubapi.OpRegisterJIT}, when: notRepository, say: func(e *githubapi.Error, s Situation) string {
		return notFound(e, s) + " Or runner group " + s.Group.String() + " was removed meanwhile"
	}},
	{hint: githubapi.HintNoPermission, ops: []githubapi.Op{githubapi.OpRegisterJIT}, when: func(_ *githubapi.Error, s Situation) bool { return notRepository(nil, s) && !s.Group.IsDefault() },
		say: func(e *githubapi.Error, s Situation) string {
			return noPermission(e, s) + " If the credential has that, runner group " + s.Group.String() + " may not accept self-hosted runners: pick another runner-group"
		}},

	// Any call with a personal access token, or an App's installation token.
	{hint: githubapi.HintBadCredential, say: text("The credential is bad, expired or revoked, or belongs to another GitHub host than api-url: check the secret passed as token")},
	{hint: githubapi.HintNoPermission, say: noPermission},
	{hint: githubapi.HintNotFound, say: notFound},
}

func notRepository(_ *githubapi.Error, s Situation) bool { return s.Target.Scope != target.Repository }

func noPermission(_ *githubapi.Error, s Situation) string {
	return "The credential lacks permission: it needs " + Permission(s.Target) + ". " + NoGitHubToken
}

func notFound(_ *githubapi.Error, s Situation) string {
	return fmt.Sprintf("The %s does not exist or this credential cannot see it: check the name, and that the credential has ", s.Target.Scope) +
		Permission(s.Target) + ". " + NoGitHubToken
}

func notInstalled(_ *githubapi.Error, s Situation) string {
	t := s.Target
	if t.Scope == target.Repository {
		return fmt.Sprintf("The GitHub App (id %s) is not installed on repository %s (or the repository does not exist): "+
			"install it on %s from the app's settings page (Install App), with access to all repositories or to %s, or check app-id",
			s.App, t.Name(), t.Owner, t.Repo)
	}
	return fmt.Sprintf("The GitHub App (id %s) is not installed on %s (or it does not exist): install it there from the app's settings page (Install App), or check app-id",
		s.App, t)
}

func lacksPermission(_ *githubapi.Error, s Situation) string {
	name, label, _ := s.Target.RunnerPermission()
	return fmt.Sprintf("The app's installation on %s has not been granted the %s (%s: write). "+
		"Add it in the app's settings (Permissions & events), then have an owner of %s accept the new permissions in the installation's settings",
		s.Target.Owner, label, name, s.Target.Owner)
}

// Permission says which credential can manage self-hosted runners of the
// target's scope.
func Permission(t target.Target) string {
	_, label, _ := t.RunnerPermission()
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
