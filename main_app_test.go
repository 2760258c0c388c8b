package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// TestContainerMintsWithGitHubApp runs the binary as the runner runs the
// container, with a GitHub App's app-id and a multi-line private-key in the
// environment instead of token.
func TestContainerMintsWithGitHubApp(t *testing.T) {
	t.Parallel()
	key, pemText, err := ghsim.NewAppKey()
	if err != nil {
		t.Fatal(err)
	}
	c := newContainer(t)
	c.sim.AddExampleApp(key)
	c.step.SetInput("token", "")
	c.step.SetInput("app-id", strconv.Itoa(ghsim.ExampleAppID))
	c.step.SetInput("private-key", pemText)
	c.step.SetInput("organization", "octo-org")
	c.run()
	if c.code != 0 {
		t.Fatalf("exit %d: %s", c.code, c.errorAnnotation())
	}

	issued, tokens := c.sim.Issued(), c.sim.AppTokens()
	if len(issued) != 1 || len(tokens) != 1 || !tokens[0].Revoked {
		t.Fatalf("issued %d runner and %d installation tokens (revoked: %v), want 1 and 1 revoked", len(issued), len(tokens), len(tokens) == 1 && tokens[0].Revoked)
	}
	var got []string
	for _, r := range c.sim.Requests() {
		got = append(got, r.Method+" "+strings.TrimPrefix(r.Path, "/api/v3"))
	}
	want := []string{
		"GET /orgs/octo-org/installation",
		"POST /app/installations/" + strconv.Itoa(ghsim.ExampleInstallationID) + "/access_tokens",
		"POST /orgs/octo-org/actions/runners/registration-token",
		"DELETE /installation/token",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c.outputs["token"] != issued[0].Token || c.outputs["installation-id"] != strconv.Itoa(ghsim.ExampleInstallationID) {
		t.Errorf("outputs token (matches: %v) and installation-id %q", c.outputs["token"] == issued[0].Token, c.outputs["installation-id"])
	}
	for i, s := range []string{strings.TrimSpace(pemText), tokens[0].Token, issued[0].Token} {
		if err := runnertest.CheckSecret(c.stdout, s); err != nil {
			t.Errorf("secret %d: %v", i, err)
		}
	}
	c.assertStepContract(t, "Runner registration token minted", issued[0].Token)
}
