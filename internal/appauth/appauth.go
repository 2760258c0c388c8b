// Package appauth turns a GitHub App's ID and private key into an
// installation token for one target, narrowed to exactly what minting a
// runner credential needs, and revokes that token afterwards.
//
// The exchange is two requests authenticated with the app's JWT: find the
// app's installation for the target, then ask that installation for a token
// limited to the target and to the one permission runners need. Every
// credential it creates or receives is handed to a mask callback before it
// is sent anywhere.
package appauth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// Client talks to the API at API through HTTP.
type Client struct {
	HTTP *http.Client
	API  *url.URL
	// Mask is given the JWT and the installation token before either is
	// used; the caller decides how secrets are hidden. It must be set.
	Mask func(secret string)
	// Now dates the JWT. It must be set.
	Now func() time.Time
	// Options configure the API clients, e.g. their retries.
	Options []githubapi.ClientOption
}

// Token is an installation token narrowed to one target.
type Token struct {
	Value          string
	InstallationID int64
	// Account is the login the app is installed on.
	Account   untrusted.Text
	ExpiresAt time.Time
	// Limits says what the token is narrowed to, as the app's settings
	// page names the permission, e.g. `repository permission
	// "Administration: write" on octo-org/app only`.
	Limits string
}

// InstallationToken finds app's installation for t and returns a token
// narrowed to t. It makes two requests, both with one freshly signed JWT.
func (c *Client) InstallationToken(ctx context.Context, app config.App, t target.Target) (*Token, error) {
	// Exactly what minting t's runner credentials needs: a repository's
	// Administration, or an organization's Self-hosted runners, at write.
	// An organization's token names no repository: its one permission is
	// the organization's, which reaches no repository's contents.
	_, limits := t.RunnerPermission()
	grant := &github.InstallationTokenOptions{Permissions: &github.InstallationPermissions{}}
	switch t.Scope {
	case target.Repository:
		grant.Repositories = []string{t.Repo}
		grant.Permissions.Administration = new("write")
		limits += " on " + t.Name() + " only"
	case target.Organization:
		grant.Permissions.OrganizationSelfHostedRunners = new("write")
	default: // an enterprise: config refuses an App for one
		return nil, fmt.Errorf("no GitHub App grant for %s", t)
	}
	jwt, err := signJWT(app.ID, app.Key, c.Now())
	if err != nil {
		return nil, fmt.Errorf("signing the GitHub App's JWT: %w", err)
	}
	c.Mask(jwt)
	api := githubapi.NewClient(c.HTTP, c.API, jwt, c.Options...)

	var inst struct {
		ID      int64 `json:"id"`
		Account struct {
			Login untrusted.Text `json:"login"`
		} `json:"account"`
	}
	if _, err := githubapi.Do(ctx, api, githubapi.OpFindInstallation, http.MethodGet, t.APIPath()+"/installation", nil, &inst); err != nil {
		return nil, fmt.Errorf("could not find the installation of the GitHub App (id %s) for %s: %w", app.ID, t, err)
	}
	if inst.ID <= 0 {
		return nil, fmt.Errorf("could not find the installation of the GitHub App (id %s) for %s: GitHub's answer has no installation id. This is unexpected: check that api-url points at the GitHub REST API", app.ID, t)
	}

	// Not Apps.CreateInstallationToken: its answer type fails whole on an
	// expiry it cannot parse, and the token must be read first, on its own.
	var answer json.RawMessage
	// Sent again after a try that got no clear answer: a token lost to one
	// cannot be revoked whether or not another is asked for, and every
	// token this run receives is revoked.
	if _, err := githubapi.Do(githubapi.Replayable(ctx), api, githubapi.OpInstallationToken, http.MethodPost, fmt.Sprintf("app/installations/%d/access_tokens", inst.ID), grant, &answer); err != nil {
		unrevoked := ""
		if githubapi.MayHaveApplied(err) {
			unrevoked = ". GitHub may have issued a token all the same; this run never got it, so it cannot revoke it: such a token expires within the hour"
		}
		return nil, fmt.Errorf("could not get an installation token from the GitHub App's installation %d on %s: %w%s", inst.ID, inst.Account.Login, err, unrevoked)
	}
	// The token first, on its own: once GitHub issued one it is masked, and
	// handed back to be revoked, whatever else the answer holds.
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(answer, &tok); err != nil || tok.Token == "" {
		return nil, fmt.Errorf("could not get an installation token from the GitHub App's installation %d: GitHub's answer has no token. "+
			"This is unexpected: check that api-url points at the GitHub REST API (if GitHub issued a token all the same, it expires within the hour)", inst.ID)
	}
	c.Mask(tok.Token)
	// When it expires is only said in a message: an expiry GitHub wrote in
	// a form no parser reads is no reason to throw a good token away.
	var rest struct {
		ExpiresAt string `json:"expires_at"`
	}
	_ = json.Unmarshal(answer, &rest)
	expires, _ := githubapi.ParseTime(rest.ExpiresAt)
	return &Token{Value: tok.Token, InstallationID: inst.ID, Account: inst.Account.Login, ExpiresAt: expires, Limits: limits}, nil
}

// Revoke makes tok unusable at once (DELETE /installation/token, with tok
// itself as the credential) instead of letting it live out its hour.
func (c *Client) Revoke(ctx context.Context, tok *Token) error {
	api := githubapi.NewClient(c.HTTP, c.API, tok.Value, c.Options...)
	if _, err := githubapi.Do(ctx, api, githubapi.OpRevokeToken, http.MethodDelete, "installation/token", nil, nil); err != nil {
		until := "for up to an hour"
		if !tok.ExpiresAt.IsZero() {
			until = "until " + tok.ExpiresAt.UTC().Format(time.RFC3339)
		}
		return fmt.Errorf("could not revoke the GitHub App's installation token, which stays valid %s: %w", until, err)
	}
	return nil
}
