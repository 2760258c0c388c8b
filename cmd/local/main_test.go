package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestLocalDemo runs the README's first command, as a newcomer would.
func TestLocalDemo(t *testing.T) {
	cases := []struct {
		args     []string
		wantCode int
		want     []string
	}{
		{nil, 0, []string{"INPUT_TOKEN=***", "Minted a registration token for repository octo-org/app", "outputs.token = ***", "outputs.runner-url = https://127.0.0.1:", "Exit code 0"}},
		{[]string{"-enterprise", "octo-ent", "-kind", "remove"}, 0, []string{"Minted a remove token for enterprise octo-ent", "/enterprises/octo-ent"}},
		{[]string{"-kind", "jit", "-organization", "octo-org"}, 0, []string{"Registered just-in-time runner", "outputs.jit-config = ***", "outputs.runner-id = ", "Just-in-time runner registered"}},
		{[]string{"-kind", "delete-runner", "-runner-name", "offline-vm", "-organization", "octo-org"}, 0, []string{`Removed runner "offline-vm" (id `, "outputs.deleted = true", "Self-hosted runner removed"}},
		{[]string{"-kind", "delete-runner", "-runner-id", "999"}, 0, []string{"Notice: runner id 999 is not registered in repository octo-org/app", "outputs.deleted = false"}},
		{[]string{"-runner-platform", "linux-arm64"}, 0, []string{"outputs.runner-download-url = https://github.com/actions/runner/releases/download/", "outputs.runner-version = 2.321.0"}},
		{[]string{"-credential", "fine-grained"}, 1, []string{"Error: Runner credential not minted", `"Administration: write"`, "(none)", "Exit code 1"}},
	}
	for _, tc := range cases {
		var out bytes.Buffer
		code, err := run(context.Background(), tc.args, &out)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if code != tc.wantCode {
			t.Errorf("%v: exit code %d, want %d", tc.args, code, tc.wantCode)
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out.String())
			}
		}
		if strings.Contains(out.String(), "ghp_") {
			t.Errorf("%v: the made-up credential is shown", tc.args)
		}
	}
}

func TestLocalDemoRealGitHubNeedsEnvCredential(t *testing.T) {
	t.Setenv("RUNNER_ADMIN_TOKEN", "")
	_, err := run(context.Background(), []string{"-api-url", "https://api.github.com", "-repository", "o/r"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "RUNNER_ADMIN_TOKEN") {
		t.Errorf("err = %v, want one naming RUNNER_ADMIN_TOKEN", err)
	}
}
