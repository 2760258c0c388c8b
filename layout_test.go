package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestLayout pins who may import whom (see "How the code is laid out" in
// the README): each concern has one owner, configuration imports no API
// package, no API package imports another's advice, and the shipped binary
// imports no test support.
func TestLayout(t *testing.T) {
	t.Parallel()
	const prefix = "github.com/runnertoken/runner-token-action/internal/"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./internal/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	// The internal packages each product package may import.
	allowed := map[string][]string{
		"untrusted":   {},
		"target":      {},
		"retry":       {"untrusted"},
		"githubapi":   {"retry", "untrusted"},
		"config":      {"target"},
		"advice":      {"config", "githubapi", "target"},
		"appauth":     {"config", "githubapi", "target", "untrusted"},
		"runners":     {"config", "githubapi", "retry", "target", "untrusted"},
		"downloads":   {"config", "githubapi", "target", "untrusted"},
		"jit":         {"config", "githubapi", "runners", "target", "untrusted"},
		"runnertoken": {"config", "githubapi", "target", "untrusted"},
		"action":      {"advice", "appauth", "config", "downloads", "githubapi", "jit", "retry", "runners", "runnertoken", "target", "untrusted"},
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], prefix)
		if !ok {
			continue
		}
		want, product := allowed[pkg]
		if !product {
			continue // test support and tools
		}
		seen[pkg] = true
		for _, imp := range fields[1:] {
			if dep, ok := strings.CutPrefix(imp, prefix); ok && !slices.Contains(want, dep) {
				t.Errorf("%s imports %s; it may import only %v", pkg, dep, want)
			}
		}
	}
	for pkg := range allowed {
		if !seen[pkg] {
			t.Errorf("package %s is gone: update this test and the README's layout", pkg)
		}
	}

	deps, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, d := range strings.Fields(string(deps)) {
		if pkg, ok := strings.CutPrefix(d, prefix); ok {
			if _, product := allowed[pkg]; !product {
				t.Errorf("the binary imports %s, which is not product code", pkg)
			}
		}
	}
}
