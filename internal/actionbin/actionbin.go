// Package actionbin builds the action's binary the way the Dockerfile does,
// for the end-to-end tests, the local demo and the benchmark: each of them
// must run what ships, not something close to it.
package actionbin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
	root, err := ModuleRoot(ctx)
	if err != nil {
		return "", err
	}
	return BuildFrom(ctx, root, dir, env...)
}

// BuildFrom compiles the action whose source is at root (another checkout,
// e.g. a baseline to compare with) into dir.
func BuildFrom(ctx context.Context, root, dir string, env ...string) (string, error) {
	return build(ctx, root, dir, nil, env)
}

// BuildAt compiles the action as it was at git revision rev, from a
// temporary worktree of this repository under dir, so that a tool can
// measure a change side by side with what came before it.
func BuildAt(ctx context.Context, dir, rev string) (string, error) {
	src := filepath.Join(dir, "baseline-src")
	if out, err := exec.CommandContext(ctx, "git", "worktree", "add", "--detach", src, rev).CombinedOutput(); err != nil {
		return "", fmt.Errorf("checking out %s: %w\n%s", rev, err, out)
	}
	// Removed even when ctx has ended: the worktree must not outlive the tool.
	defer func() {
		_ = exec.CommandContext(context.WithoutCancel(ctx), "git", "worktree", "remove", "--force", src).Run()
	}()
	out := filepath.Join(dir, "baseline-bin")
	if err := os.Mkdir(out, 0o755); err != nil {
		return "", err
	}
	return BuildFrom(ctx, src, out)
}

// BuildShowing is Build that writes to progress the packages it compiles,
// as it compiles them (go build -v): a first build compiles every module,
// for about a minute, and should not look stuck.
func BuildShowing(ctx context.Context, dir string, progress io.Writer) (string, error) {
	root, err := ModuleRoot(ctx)
	if err != nil {
		return "", err
	}
	return build(ctx, root, dir, progress, nil)
}

func build(ctx context.Context, root, dir string, progress io.Writer, env []string) (string, error) {
	binary := filepath.Join(dir, "runner-token-action")
	args := append([]string{"build"}, BuildFlags...)
	if progress != nil {
		args = append(args, "-v")
	}
	cmd := exec.CommandContext(ctx, goTool(), append(args, "-o", binary, ".")...)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if progress != nil {
		cmd.Stderr = io.MultiWriter(&out, progress)
	}
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the action: %w\n%s", err, out.Bytes())
	}
	return binary, nil
}

// ModuleRoot is the directory of the action's go.mod, from the go command.
func ModuleRoot(ctx context.Context) (string, error) {
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
