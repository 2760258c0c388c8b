package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/runnertoken/runner-token-action/internal/actionbin"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
)

// TestEveryKindSideBySide runs one round of every kind, the action and
// curl, and checks that both made the same requests, as many as the kind
// needs (the times are not checked: that is the benchmark's job).
func TestEveryKindSideBySide(t *testing.T) {
	t.Parallel()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("needs curl, the reference")
	}
	dir := t.TempDir()
	binary, err := actionbin.Build(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := ghsim.New("/api/v3")
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.AddRepository("octo-org/app")
	sim.AddCredential("admin", token, ghsim.Credential{Admin: []string{"octo-org/app", "octo-org"}})
	scenarios, err := trustStores(dir, sim.CACertPEM())
	if err != nil {
		t.Fatal(err)
	}
	results, err := measureKinds(context.Background(), 1, dir, binary, curl, sim, scenarios[:1])
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range results {
		got[r.kind] = r.requests
		if a, c := perRun(r.action), perRun(r.curl); a != float64(r.requests) || c != float64(r.requests) {
			t.Errorf("%s: %.0f requests by the action, %.0f by curl, want %d each", r.kind, a, c, r.requests)
		}
	}
	want := map[string]int{"jit (runner-group by name)": 2, "GitHub App (installation, token, mint, revoke)": 4, "delete-runner by name (list, delete)": 2, "wait for online, one poll (get the runner)": 1}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("kind %q: %d requests per run, want %d (measured: %v)", k, got[k], n, got)
		}
	}
	var out bytes.Buffer
	reportKinds(&out, results)
	for k := range want {
		if !strings.Contains(out.String(), "| "+k+" | ") {
			t.Errorf("the report has no row for %s:\n%s", k, out.String())
		}
	}
	if strings.Contains(out.String(), token) {
		t.Error("the report shows the credential")
	}
}
