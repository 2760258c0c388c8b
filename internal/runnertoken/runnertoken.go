// Package runnertoken asks GitHub for a registration or remove token for a
// target: the credential config.sh takes.
package runnertoken

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// Token is a registration or remove token as GitHub returned it.
type Token struct {
	// Value is the secret: never shown, only masked and handed on.
	Value string `json:"token"`
	// ExpiresAt is GitHub's expires_at, byte for byte: the output is what
	// GitHub said, once it parses as a time, not a re-formatting of it.
	ExpiresAt untrusted.Text `json:"expires_at"`
}

// Create makes one request: POST {target}/actions/runners/{kind}-token.
// A second token is harmless, so the policy may send it again after a try
// that got no clear answer.
func Create(ctx context.Context, c *github.Client, t target.Target, k config.Kind) (*Token, error) {
	path := t.APIPath() + "/actions/runners/" + string(k) + "-token"
	var tok Token
	if _, err := githubapi.Do(githubapi.Replayable(ctx), c, githubapi.OpRunnerToken, http.MethodPost, path, nil, &tok); err != nil {
		return nil, fmt.Errorf("could not mint a %s token for %s: %w", k, t, err)
	}
	if tok.Value == "" {
		return nil, fmt.Errorf("could not mint a %s token for %s: GitHub's answer has no token. This is unexpected: check that api-url points at the GitHub REST API and try again", k, t)
	}
	if _, err := githubapi.ParseTime(tok.ExpiresAt.Raw()); err != nil {
		return nil, fmt.Errorf("could not mint a %s token for %s: GitHub's expires_at %q is not an RFC 3339 time. This is unexpected: check that api-url points at the GitHub REST API", k, t, tok.ExpiresAt)
	}
	return &tok, nil
}
