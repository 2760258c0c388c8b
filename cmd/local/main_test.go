package main

import (
	"bytes"
	"context"
	"io"
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
		{nil, 0, []string{"Building the action as the Dockerfile does", "Built in ", "INPUT_TOKEN=***", "Minted a registration token for repository octo-org/app", "outputs.token = ***", "outputs.runner-url = https://127.0.0.1:", "Exit code 0"}},
		{[]string{"-enterprise", "octo-ent", "-kind", "remove"}, 0, []string{"Minted a remove token for enterprise octo-ent", "/enterprises/octo-ent"}},
		{[]string{"-kind", "jit", "-organization", "octo-org"}, 0, []string{"Registered just-in-time runner", "outputs.jit-config = ***", "outputs.runner-id = ", "Just-in-time runner registered"}},
		{[]string{"-kind", "delete-runner", "-runner-name", "offline-vm", "-organization", "octo-org"}, 0, []string{`Removed runner "offline-vm" (id `, "outputs.deleted = true", "Self-hosted runner removed"}},
		{[]string{"-kind", "delete-runner", "-runner-id", "999"}, 0, []string{"Notice: runner id 999 is not registered in repository octo-org/app", "outputs.deleted = false"}},
		{[]string{"-runner-platform", "linux-arm64"}, 0, []string{"outputs.runner-download-url = https://github.com/actions/runner/releases/download/", "outputs.runner-version = 2.321.0"}},
		{[]string{"-credential", "fine-grained"}, 1, []string{"Error: Runner credential not minted", `"Administration: write"`, "(none)", "Exit code 1"}},
		// -with reaches the action: as the inputs it shows, and as what the action does with them.
		{[]string{"-kind", "jit", "-organization", "octo-org", "-with", "runner-labels=gpu,linux", "-with", "work-folder=_w", "-with", "timeout=30s"}, 0, []string{"INPUT_RUNNER-LABELS=gpu,linux", "INPUT_WORK-FOLDER=_w", "INPUT_TIMEOUT=30s", "gpu, linux", "Exit code 0"}},
		{[]string{"-with", "timeout=1s"}, 1, []string{`input timeout "1s" is not a duration from 5s to 1h`, "Exit code 1"}},
		{[]string{"-with", "runner-group=gpu"}, 1, []string{"runner-group", "applies only to kind", "Exit code 1"}},
		{[]string{"-lifecycle"}, 0, []string{"Step 1 of 4: provision", "Registered just-in-time runner", "Step 2 of 4: wait until the runner is online",
			"is online, idle, as waited for, after ", "outputs.runner-status = online", "Step 3 of 4", "is gone from organization octo-org, as waited for",
			"outputs.runner-status = gone", "Step 4 of 4: prune", `Removed runner "stale-vm-1"`, `Skipped runner "stale-vm-3"`, "outputs.removed-count = 2",
			"Runners left in organization octo-org: offline-vm (offline, idle), stale-vm-3 (online, idle)\n"}},
		{[]string{"-app", "-organization", "octo-org"}, 0, []string{"GitHub App 424242", "INPUT_APP-ID=424242", "INPUT_PRIVATE-KEY=***", "Minted a registration token for organization octo-org", "outputs.installation-id = 7000001", "Exit code 0"}},
	}
	for _, tc := range cases {
		var out bytes.Buffer
		code, err := run(context.Background(), tc.args, &out, io.Discard)
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
		if strings.Contains(out.String(), "ghp_") || strings.Contains(out.String(), "PRIVATE KEY") {
			t.Errorf("%v: the made-up credential is shown", tc.args)
		}
	}
}

func TestLocalDemoRealGitHubNeedsEnvCredential(t *testing.T) {
	t.Setenv("RUNNER_ADMIN_TOKEN", "")
	_, err := run(context.Background(), []string{"-api-url", "https://api.github.com", "-repository", "o/r"}, &bytes.Buffer{}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "RUNNER_ADMIN_TOKEN") {
		t.Errorf("err = %v, want one naming RUNNER_ADMIN_TOKEN", err)
	}
}

// TestCommandLine: what is refused before anything is built, and -h.
func TestCommandLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    string // in stdout
		wantErr    string // in the error, or else in stderr
		wantStderr string
	}{
		{"help", []string{"-h"}, 0, "Usage: go run ./cmd/local [flags]", "", ""},
		{"help lists -with", []string{"-help"}, 0, "-with NAME=VALUE", "", ""},
		{"unknown flag", []string{"-no-such-flag"}, 2, "", "", "flag provided but not defined: -no-such-flag"},
		{"stray argument", []string{"jit"}, 2, "", "", `unexpected argument "jit"`},
		{"-with without =", []string{"-with", "timeout"}, 2, "", "", `"timeout" is not NAME=VALUE`},
		{"-with the same input twice", []string{"-with", "timeout=5s", "-with", "timeout=6s"}, 2, "", "", "input timeout given twice"},
		{"-with an undeclared input", []string{"-with", "labels=gpu"}, 2, "", "action.yml declares no input labels (it has api-url, app-id,", ""},
		{"-with a token", []string{"-with", "token=x"}, 2, "", "a credential never comes from a flag", ""},
		{"-with a private key", []string{"-with", "private-key=x"}, 2, "", "a credential never comes from a flag", ""},
		{"-with client-id", []string{"-with", "client-id=Iv23li"}, 2, "", "use -app, which identifies the App", ""},
		{"-with api-url", []string{"-with", "api-url=https://h"}, 2, "", "use -api-url", ""},
		{"-with and its own flag", []string{"-kind", "jit", "-with", "kind=remove"}, 2, "", "input kind given twice: as -kind and as -with kind", ""},
		{"-app with a real GitHub", []string{"-app", "-api-url", "https://api.github.com"}, 2, "", "-app runs against the simulator", ""},
		{"-app and -credential", []string{"-app", "-credential", "admin"}, 2, "", "give one of them", ""},
		{"-lifecycle with a kind", []string{"-lifecycle", "-kind", "jit"}, 2, "", "-lifecycle runs its own steps against the simulator", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, stderr bytes.Buffer
			code, err := run(context.Background(), tc.args, &out, &stderr)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d (err %v)", code, tc.wantCode, err)
			}
			if tc.wantErr == "" && err != nil {
				t.Errorf("err = %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want one with %q", err, tc.wantErr)
			}
			if !strings.Contains(out.String(), tc.wantOut) || !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q in them", out.String(), stderr.String(), tc.wantOut, tc.wantStderr)
			}
			if strings.Contains(out.String(), "Building") {
				t.Error("it built the action")
			}
		})
	}
}
