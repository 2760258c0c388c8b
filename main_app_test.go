package main

import (
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// newAppContainer is newContainer with the example app installed on
// octo-org, and its app-id and multi-line private-key (returned) as the
// credential, for the organization.
func newAppContainer(t *testing.T) (*container, string) {
	t.Helper()
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
	return c, pemText
}

// TestContainerMintsWithGitHubApp runs the binary as the runner runs the
// container, with a GitHub App's app-id and a multi-line private-key in the
// environment instead of token.
func TestContainerMintsWithGitHubApp(t *testing.T) {
	t.Parallel()
	c, pemText := newAppContainer(t)
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

// TestContainerSIGTERMUndoesWhatItStarted: the job is cancelled while the
// runner's registration waits for an answer that GitHub will never send,
// though it registered the runner. Before it exits, within the grace, the
// action removes that runner, then revokes the App's installation token.
func TestContainerSIGTERMUndoesWhatItStarted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs Unix signals")
	}
	t.Parallel()
	c, _ := newAppContainer(t)
	c.step.SetInput("kind", "jit")
	c.sim.FailJIT(ghsim.HangAfterCreate)
	registered := make(chan struct{})
	var once sync.Once
	c.sim.Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/generate-jitconfig") {
				once.Do(func() { close(registered) })
			}
			next.ServeHTTP(w, r)
		})
	})
	cmd, stdout, stderr := c.start()
	select {
	case <-registered:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the registration never reached the simulator")
	}
	for deadline := time.Now().Add(10 * time.Second); len(c.sim.Runners("orgs/octo-org")) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the simulator never registered the runner")
		}
	}
	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c.wait(cmd, stdout, stderr)
	// The step's clean-up grace is 5 s (internal/action).
	if took := time.Since(signalled); took > 8*time.Second {
		t.Errorf("exited %s after SIGTERM, want within the 5s grace", took)
	}
	if left := c.sim.Runners("orgs/octo-org"); len(left) != 0 {
		t.Errorf("runners left registered: %+v", left)
	}
	if tokens := c.sim.AppTokens(); len(tokens) != 1 || !tokens[0].Revoked {
		t.Errorf("installation tokens %+v, want the one revoked", tokens)
	}
	if c.code != 1 || !strings.Contains(c.errorAnnotation(), "cancelled before a credential was minted") || !strings.Contains(c.errorAnnotation(), "which this run registered, was removed") {
		t.Errorf("exit %d, error %q", c.code, c.errorAnnotation())
	}
}
