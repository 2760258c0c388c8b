// Package runnertoken asks GitHub for a registration or remove token for a
// target: the credential config.sh takes.
package runnertoken

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// Token is a registration or remove token as GitHub returned it.
type Token struct {
	Value string
	// ExpiresAt is GitHub's expires_at, byte for byte.
	ExpiresAt string
	Expires   time.Time
}

// tokenResponse keeps expires_at as a string: the output is what GitHub
// said, not a re-formatting of it.
type tokenResponse struct {
	Token     string `json:"token"`
	ExpiresAt string `json:"expires_at"`
}

// ErrNoToken is wrapped when GitHub answers success without a usable token.
var ErrNoToken = errors.New("GitHub's answer has no token")

// Create makes one request: POST {target}/actions/runners/{kind}-token.
func Create(ctx context.Context, c *github.Client, t target.Target, k config.Kind) (*Token, error) {
	if !k.Token() {
		return nil, fmt.Errorf("could not mint a %s token: %q is not a token kind (a JIT runner config comes from package jit)", k, k)
	}
	path := t.APIPath() + "/actions/runners/" + string(k) + "-token"
	// Not CreateRegistrationToken and its kin: expires_at is handed on as
	// GitHub wrote it, which their time type cannot keep; and v66 has no
	// method for an enterprise's remove token.
	var r tokenResponse
	if _, err := githubapi.Do(ctx, c, githubapi.OpRunnerToken, http.MethodPost, path, nil, &r); err != nil {
		return nil, fmt.Errorf("could not mint a %s token for %s: %w", k, t, err)
	}
	if r.Token == "" {
		return nil, fmt.Errorf("could not mint a %s token for %s: %w. This is unexpected: check that api-url points at the GitHub REST API and try again", k, t, ErrNoToken)
	}
	expires, err := githubapi.ParseTime(r.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("could not mint a %s token for %s: GitHub's expires_at %q is not an RFC 3339 time. This is unexpected: check that api-url points at the GitHub REST API", k, t, untrusted.Clip(r.ExpiresAt, 40))
	}
	return &Token{Value: r.Token, ExpiresAt: r.ExpiresAt, Expires: expires}, nil
}
