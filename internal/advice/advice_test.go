package advice

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

var (
	repo = target.Target{Scope: target.Repository, Owner: "o", Repo: "r"}
	org  = target.Target{Scope: target.Organization, Owner: "o"}
	ent  = target.Target{Scope: target.Enterprise, Owner: "e"}
)

// answer is GitHub's error answer to op, with its JSON message, as
// githubapi reports it.
func answer(op githubapi.Op, status int, message string) *githubapi.Error {
	return &githubapi.Error{Op: op, StatusCode: status, Message: untrusted.Of(message)}
}

// limited is GitHub's refusal of op for a rate limit, as the policy saw it:
// reset is when the credential's primary limit resets, if GitHub said.
func limited(op githubapi.Op, status int, message string, reset time.Time) *githubapi.Error {
	e := answer(op, status, message)
	e.RateLimited, e.Reset = true, reset
	return e
}

// page is an answer to op whose body is not GitHub's JSON, e.g. a web page.
func page(op githubapi.Op, status int) *githubapi.Error {
	return &githubapi.Error{Op: op, StatusCode: status, NotJSON: true}
}

func TestFor(t *testing.T) {
	t.Parallel()
	const (
		mint = githubapi.OpRunnerToken
		find = githubapi.OpFindInstallation
		exch = githubapi.OpInstallationToken
		jit  = githubapi.OpRegisterJIT
	)
	const (
		noAdmin     = "Must have admin rights to Repository."
		notFound    = "Not Found"
		invalid     = "Validation Failed"
		badCreds    = "Bad credentials"
		suspended   = "This installation has been suspended"
		notGranted  = "The permissions requested are not granted to this installation."
		notIncluded = "There is at least one repository that does not exist or is not accessible to the parent installation."
	)
	reset := time.Date(2026, 11, 25, 15, 4, 5, 0, time.UTC)
	app := func(t target.Target) Situation { return Situation{Target: t, App: "123"} }
	group := func(t target.Target, g config.Group) Situation { return Situation{Target: t, Group: g} }
	cases := []struct {
		name string
		err  error
		s    Situation
		want []string // "" alone: no advice
	}{
		// Any call, with a token.
		{"401", answer(mint, 401, badCreds), Situation{Target: repo}, []string{"bad, expired or revoked"}},
		{"403 repo", answer(mint, 403, noAdmin), Situation{Target: repo}, []string{"admin rights on o/r", "repo scope", `"Administration: write"`, noGitHubToken}},
		{"403 org", answer(mint, 403, "Resource not accessible by personal access token"), Situation{Target: org}, []string{"admin:org", `"Self-hosted runners: write"`, noGitHubToken}},
		{"403 enterprise", answer(mint, 403, "Resource not accessible by integration"), Situation{Target: ent}, []string{"manage_runners:enterprise", noGitHubToken}},
		{"404", answer(mint, 404, notFound), Situation{Target: org}, []string{"The organization does not exist or this credential cannot see it"}},
		{"404 not JSON", page(mint, 404), Situation{Target: repo}, []string{"not the GitHub REST API answering", "/api/v3"}},
		{"405 not JSON", page(mint, 405), Situation{Target: repo}, []string{"not the GitHub REST API answering", "/api/v3"}},
		{"primary rate limit", limited(mint, 403, "API rate limit exceeded for user ID 1.", reset), Situation{Target: repo}, []string{"used up until 2026-11-25 15:04:05 UTC"}},
		{"secondary rate limit", limited(mint, 403, "You have exceeded a secondary rate limit.", time.Time{}), Situation{Target: repo}, []string{"rate limiting", "raise timeout or start fewer at once"}},
		{"429", limited(mint, 429, "", time.Time{}), Situation{Target: repo}, []string{"rate limiting", "raise timeout or start fewer at once"}},
		{"a rate limit on the app's request", limited(exch, 403, "", time.Time{}), app(repo), []string{"rate limiting"}},
		{"5xx", answer(mint, 503, "Service Unavailable"), Situation{Target: repo}, []string{"server error", "githubstatus.com"}},
		{"5xx as a web page", page(mint, 502), Situation{Target: repo}, []string{"server error", "githubstatus.com"}},
		{"501 is not a passing fault", answer(mint, 501, "Not Implemented"), Situation{Target: repo}, []string{"does not implement this request", "api-url"}},
		{"wrapped", fmt.Errorf("x: %w", answer(mint, 401, badCreds)), Situation{Target: repo}, []string{"bad, expired"}},
		{"not JSON 2xx", fmt.Errorf("%w: x", githubapi.ErrNotJSON), Situation{Target: repo}, []string{"REST API's URL"}},
		{"a transport error", errors.New("dial tcp: refused"), Situation{Target: repo}, []string{""}},
		{"422 to a token request", answer(mint, 422, invalid), Situation{Target: repo}, []string{""}},
		{"409", answer(mint, 409, "Conflict"), Situation{Target: repo}, []string{""}},
		{"418", answer(mint, 418, "I'm a teapot"), Situation{Target: repo}, []string{""}},
		{"a redirect elsewhere says so itself", fmt.Errorf("%w", githubapi.ErrRedirectElsewhere), Situation{Target: repo}, []string{""}},
		{"a token's 401 about JWT claims is no bad token", answer(mint, 401, "'Expiration time' claim ('exp') is too far in the future"), Situation{Target: repo}, []string{""}},
		{"a token's 403 for a suspended installation is no missing permission", answer(mint, 403, suspended), app(repo), []string{""}},

		// The App's own requests, with its JWT.
		{"installation outside the repository", answer(exch, 422, notIncluded), app(repo), []string{"does not include repository o/r: add it under the installation's Repository access"}},
		{"other 422", answer(exch, 422, notGranted), app(repo), []string{`"Administration: write"`, "(administration: write)"}},
		{"400", answer(exch, 400, "Problems parsing JSON"), app(repo), []string{`"Administration: write"`, "(administration: write)"}},
		{"suspended", answer(exch, 403, suspended), app(repo), []string{"is suspended"}},
		{"403 to the app's request", answer(exch, 403, "Resource not accessible by integration"), app(repo), []string{""}},
		{"404 on the token request is not 'not installed'", answer(exch, 404, notFound), app(repo), []string{""}},
		{"not installed", answer(find, 404, notFound), app(org), []string{"The GitHub App (id 123) is not installed on organization o"}},
		{"clock skew", answer(find, 401, "'Expiration time' claim ('exp') is too far in the future"), app(repo), []string{"clock is off"}},
		{"clock skew, issued at", answer(exch, 401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"), app(repo), []string{"clock is off"}},
		{"a key of another app", answer(find, 401, "A JSON web token could not be decoded"), app(repo), []string{"does not belong to the GitHub App with id 123"}},
		{"the installation token refused later is a token's 403", answer(mint, 403, noAdmin), app(repo), []string{"admin rights on o/r"}},

		// Registering a JIT runner.
		{"jit 422", answer(jit, 422, invalid), group(repo, config.Group{}), []string{"GitHub refused the runner's settings: check runner-labels (1 to 100 labels, each at most 256 characters)"}},
		{"jit 400", answer(jit, 400, "Problems parsing JSON"), group(repo, config.Group{}), []string{"GitHub refused the runner's settings"}},
		{"jit 404 on an organization", answer(jit, 404, notFound), group(org, config.Group{Name: "gpu"}), []string{"does not exist or this credential cannot see it", `Or runner group "gpu" was removed meanwhile`}},
		{"jit 404 as a web page", page(jit, 404), group(org, config.Group{Name: "gpu"}), []string{"not the GitHub REST API answering"}},
		{"jit 403 with a group", answer(jit, 403, noAdmin), group(org, config.Group{ID: 7}), []string{`"Self-hosted runners: write"`, "runner group id 7 may not accept self-hosted runners"}},
		{"jit 403 in the default group", answer(jit, 403, noAdmin), group(org, config.Group{}), []string{`"Self-hosted runners: write"`}},
		{"jit 404 from GHES 3.9", &githubapi.Error{Op: jit, StatusCode: 404, Message: untrusted.Of(notFound), EnterpriseVersion: untrusted.Of("3.9.2")}, group(org, config.Group{}),
			[]string{"GitHub Enterprise Server 3.9.2, which has no just-in-time runner API"}},
	}
	for _, tc := range cases {
		got := For(tc.err, tc.s)
		if len(tc.want) == 1 && tc.want[0] == "" {
			if got != "" {
				t.Errorf("%s: advice %q, want none", tc.name, got)
			}
			continue
		}
		if strings.HasPrefix(got, ".") || strings.HasPrefix(got, " ") {
			t.Errorf("%s: advice %q starts with punctuation", tc.name, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: advice %q lacks %q", tc.name, got, w)
			}
		}
	}
	if got := For(answer(jit, 403, noAdmin), group(org, config.Group{})); strings.Contains(got, "may not accept") {
		t.Errorf("the default group blamed: %q", got)
	}
}
