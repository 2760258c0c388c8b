package runnertoken

import (
	"context"
	"strings"
	"testing"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/target"
)

// TestCreateRefusesJIT: a JIT config is not a token; asking Create for one
// must fail before any request rather than POST to a made-up endpoint.
func TestCreateRefusesJIT(t *testing.T) {
	t.Parallel()
	_, err := Create(context.Background(), nil, target.Target{Scope: target.Repository, Owner: "o", Repo: "r"}, config.JIT)
	if err == nil || !strings.Contains(err.Error(), "not a token kind") {
		t.Errorf("Create(JIT) error = %v", err)
	}
}
