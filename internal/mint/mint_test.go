package mint

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
)

// TestMintRefusesJIT: a JIT config is not a token; asking Mint for one
// must fail before any request rather than POST to a made-up endpoint.
func TestMintRefusesJIT(t *testing.T) {
	t.Parallel()
	_, err := Mint(context.Background(), nil, target.Target{Scope: target.Repository, Owner: "o", Repo: "r"}, config.JIT)
	if err == nil || !strings.Contains(err.Error(), "not a token kind") {
		t.Errorf("Mint(JIT) error = %v", err)
	}
}

func TestAdvice(t *testing.T) {
	t.Parallel()
	repo := target.Target{Scope: target.Repository, Owner: "o", Repo: "r"}
	org := target.Target{Scope: target.Organization, Owner: "o"}
	ent := target.Target{Scope: target.Enterprise, Owner: "e"}
	reset := time.Date(2026, 11, 25, 15, 4, 5, 0, time.UTC)
	cases := []struct {
		name string
		err  error
		t    target.Target
		want []string
	}{
		{"401", &githubapi.Error{StatusCode: 401}, repo, []string{"bad, expired or revoked"}},
		{"403 repo", &githubapi.Error{StatusCode: 403}, repo, []string{"admin rights on o/r", "repo scope", `"Administration: write"`, NoGitHubToken}},
		{"403 org", &githubapi.Error{StatusCode: 403}, org, []string{"admin:org", `"Self-hosted runners: write"`, NoGitHubToken}},
		{"403 enterprise", &githubapi.Error{StatusCode: 403}, ent, []string{"manage_runners:enterprise", NoGitHubToken}},
		{"404", &githubapi.Error{StatusCode: 404}, org, []string{"The organization does not exist or this credential cannot see it"}},
		{"404 not JSON", &githubapi.Error{StatusCode: 404, NotJSON: true}, repo, []string{"not the GitHub REST API answering", "/api/v3"}},
		{"primary rate limit", &githubapi.Error{StatusCode: 403, RateLimited: true, RateLimitReset: reset}, repo, []string{"used up until 2026-11-25 15:04:05 UTC"}},
		{"secondary rate limit", &githubapi.Error{StatusCode: 403, RateLimited: true}, repo, []string{"rate limiting"}},
		{"5xx", &githubapi.Error{StatusCode: 503}, repo, []string{"server error", "githubstatus.com"}},
		{"501 is not a passing fault", &githubapi.Error{StatusCode: 501}, repo, []string{"does not implement this request", "api-url"}},
		{"wrapped", fmt.Errorf("x: %w", &githubapi.Error{StatusCode: 401}), repo, []string{"bad, expired"}},
		{"not JSON 2xx", fmt.Errorf("%w: x", githubapi.ErrNotJSON), repo, []string{"REST API's URL"}},
	}
	for _, tc := range cases {
		got := Advice(tc.err, tc.t)
		if !strings.HasPrefix(got, ". ") {
			t.Errorf("%s: advice %q does not start with \". \"", tc.name, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: advice %q lacks %q", tc.name, got, w)
			}
		}
	}
	for _, err := range []error{errors.New("dial tcp: refused"), &githubapi.Error{StatusCode: 422}, fmt.Errorf("%w", githubapi.ErrRedirectElsewhere)} {
		if got := Advice(err, repo); got != "" {
			t.Errorf("Advice(%v) = %q, want nothing", err, got)
		}
	}
}
