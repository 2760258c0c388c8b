// Package actionbin builds the action's binary the way the Dockerfile does,
// for the end-to-end tests, the local demo and the benchmark: each of them
// must run what ships, not something close to it.
package actionbin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// BuildFlags are the Dockerfile's go build flags (a test keeps them in step).
var BuildFlags = []string{"-trimpath", "-ldflags=-s -w -buildid="}

// Build compiles the action into dir and returns the binary's path.
func Build(ctx context.Context, dir string) (string, error) {
	return BuildWithEnv(ctx, dir)
}

// BuildWithEnv is Build with extra environment, e.g. empty caches.
func BuildWithEnv(ctx context.Context, dir string, env ...string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	return BuildFrom(ctx, root, dir, env...)
}

// BuildFrom compiles the action whose source is at root (another checkout,
// e.g. a baseline to compare with) into dir.
func BuildFrom(ctx context.Context, root, dir string, env ...string) (string, error) {
	binary := filepath.Join(dir, "runner-token-action")
	args := append(append([]string{"build"}, BuildFlags...), "-o", binary, ".")
	cmd := exec.CommandContext(ctx, goTool(), args...)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the action: %w\n%s", err, out)
	}
	return binary, nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, goTool(), "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run this from inside the action's repository")
	}
	return filepath.Dir(gomod), nil
}

// goTool is the go command on PATH: `go run` and `go test` (which puts its
// own toolchain first on PATH) both find the one that started them.
func goTool() string { return "go" }
