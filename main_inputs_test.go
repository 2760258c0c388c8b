package main

// Issue 16 through the binary: the labels a JIT runner gets, and the inputs
// people bring (client-id, a base64 private key, misspelled input names).

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// TestContainerJITLabels: the simulator's runner has exactly the labels a
// job's runs-on can match, and the log says which.
func TestContainerJITLabels(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, kind, platform, labels string
		want                         []string
		says                         string
	}{
		{"no platform: self-hosted only", "jit", "", "", []string{"self-hosted"},
			"A job's runs-on must name only labels this runner has: self-hosted. A just-in-time runner has exactly the labels it was registered with; none are added for its OS or architecture"},
		{"no platform: exactly runner-labels", "jit", "", "gpu,linux", []string{"gpu", "linux"},
			"must name only labels this runner has: gpu, linux. A just-in-time runner"},
		{"linux-x64: as config.sh labels it", "jit", "linux-x64", "", []string{"self-hosted", "Linux", "X64"},
			"must name only labels this runner has: self-hosted, Linux, X64 (self-hosted, Linux, X64 are what config.sh gives a runner on linux-x64, from runner-platform)."},
		{"kind and platform in any case, then runner-labels", "JIT", "OSX-ARM64", "gpu,MACOS", []string{"self-hosted", "macOS", "ARM64", "gpu"},
			"must name only labels this runner has: self-hosted, macOS, ARM64, gpu (self-hosted, macOS, ARM64 are what config.sh gives a runner on osx-arm64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newContainer(t)
			c.step.SetInput("kind", tc.kind)
			c.step.SetInput("organization", "octo-org")
			c.step.SetInput("runner-platform", tc.platform)
			c.step.SetInput("runner-labels", tc.labels)
			c.run()
			if c.code != 0 {
				t.Fatalf("exit %d: %s", c.code, c.errorAnnotation())
			}
			runners := c.sim.Runners("orgs/octo-org")
			if len(runners) != 1 {
				t.Fatalf("%d runners registered, want 1", len(runners))
			}
			if diff := cmp.Diff(tc.want, runners[0].Labels); diff != "" {
				t.Errorf("the runner's labels (-want +got):\n%s", diff)
			}
			if !strings.Contains(c.stdout, tc.says) {
				t.Errorf("the log does not say %q:\n%s", tc.says, runnertest.Render(c.stdout, false))
			}
			if tc.platform != "" && c.outputs["runner-download-url"] == "" {
				t.Error("no runner-download-url with runner-platform")
			}
			c.assertStepContract(t, "Just-in-time runner registered", c.outputs["jit-config"])
		})
	}
}

// TestContainerClientID: client-id, as actions/create-github-app-token
// takes it, identifies the App; with app-id too, they must agree.
func TestContainerClientID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, appID, clientID string
		code                  int
		says                  string
	}{
		{"client-id alone", "", ghsim.ExampleClientID, 0, "Authenticating as GitHub App " + ghsim.ExampleClientID},
		{"both, equal", ghsim.ExampleClientID, ghsim.ExampleClientID, 0, "Authenticating as GitHub App " + ghsim.ExampleClientID},
		{"both, different: no request at all", strconv.Itoa(ghsim.ExampleAppID), ghsim.ExampleClientID, 1, "inputs app-id and client-id are both set, to different values"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, pemText := newAppContainer(t)
			c.step.SetInput("app-id", tc.appID)
			c.step.SetInput("client-id", tc.clientID)
			c.run()
			if c.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", c.code, tc.code, c.errorAnnotation())
			}
			if !strings.Contains(c.stdout, tc.says) {
				t.Errorf("the log does not say %q:\n%s", tc.says, runnertest.Render(c.stdout, false))
			}
			if err := runnertest.CheckSecret(c.stdout, strings.TrimSpace(pemText)); err != nil {
				t.Error(err)
			}
			issued, tokens := c.sim.Issued(), c.sim.AppTokens()
			if tc.code != 0 {
				if len(c.sim.Requests()) != 0 || len(c.outputs) != 0 {
					t.Errorf("%d requests, %d outputs: want none", len(c.sim.Requests()), len(c.outputs))
				}
				return
			}
			if len(issued) != 1 || len(tokens) != 1 || !tokens[0].Revoked || c.outputs["token"] != issued[0].Token {
				t.Errorf("issued %d runner tokens and %d installation tokens: want one of each, the installation token revoked, the runner token the output", len(issued), len(tokens))
			}
			c.assertStepContract(t, "Runner registration token minted", issued[0].Token)
		})
	}
}

// TestContainerBase64PrivateKey: a private-key kept base64-encoded works,
// and the PEM it decodes to is masked, whole and line by line, before
// anything else is written; one that is neither says both were tried.
func TestContainerBase64PrivateKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		key  func(pemText string) string
		code int
		says string
	}{
		{"one line", func(p string) string { return base64.StdEncoding.EncodeToString([]byte(p)) }, 0, ""},
		{"wrapped at 76 columns, as base64(1) writes it", func(p string) string {
			b := base64.StdEncoding.EncodeToString([]byte(p))
			var lines []string
			for ; len(b) > 76; b = b[76:] {
				lines = append(lines, b[:76])
			}
			return strings.Join(append(lines, b), "\n") + "\n"
		}, 0, ""},
		{"base64 of something else: no request at all", func(p string) string {
			return base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(p, "PRIVATE KEY", "PRIVATE KEX")[5:]))
		}, 1, "it is not PEM, nor base64-encoded PEM (both were tried)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, pemText := newAppContainer(t)
			in := tc.key(pemText)
			c.step.SetInput("private-key", in)
			c.run()
			if c.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", c.code, tc.code, c.errorAnnotation())
			}
			// The input, whole and line by line, and, once it decodes, the
			// PEM, whole and each line of its body.
			whole, lines := []string{strings.TrimSpace(in)}, strings.Fields(in)
			if tc.code == 0 {
				body := strings.Split(strings.TrimSpace(pemText), "\n")
				whole, lines = append(whole, strings.TrimSpace(pemText)), append(lines, body[1:len(body)-1]...)
			}
			for i, s := range whole {
				if err := runnertest.CheckSecret(c.stdout, s); err != nil {
					t.Errorf("secret %d: %v", i, err)
				}
			}
			for i, l := range lines {
				if err := runnertest.CheckSecretLine(c.stdout, l); err != nil {
					t.Errorf("line %d: %v", i, err)
				}
			}
			if tc.code != 0 {
				if e := c.errorAnnotation(); !strings.Contains(e, tc.says) {
					t.Errorf("error %q lacks %q", e, tc.says)
				}
				if len(c.sim.Requests()) != 0 || len(c.outputs) != 0 {
					t.Errorf("%d requests, %d outputs: want none", len(c.sim.Requests()), len(c.outputs))
				}
				return
			}
			issued, tokens := c.sim.Issued(), c.sim.AppTokens()
			if len(issued) != 1 || len(tokens) != 1 || !tokens[0].Revoked || c.outputs["token"] != issued[0].Token {
				t.Fatalf("issued %d runner tokens and %d installation tokens: want one of each, the installation token revoked, the runner token the output", len(issued), len(tokens))
			}
			c.assertStepContract(t, "Runner registration token minted", issued[0].Token)
		})
	}
}

// TestContainerMisspeltInputs: the runner passes every with: key as
// INPUT_*, declared or not. A misspelt input fails the step before any
// request (a misspelt target would otherwise mint for the workflow's own
// repository); other unknown inputs get one warning; no value is shown.
func TestContainerMisspeltInputs(t *testing.T) {
	t.Parallel()
	const value = "ghp_anUnknownInputsValueMaybeASecret0009"
	cases := []struct {
		name  string
		with  map[string]string // as the workflow's with: spells them
		code  int
		error []string
		warn  string // the one warning; "" for none
	}{
		{"declared inputs only: no warning", map[string]string{"organization": "octo-org"}, 0, nil, ""},
		{"organisation: no request at all", map[string]string{"organisation": "octo-org"}, 1,
			[]string{`unknown input "organisation": did you mean "organization"?`}, ""},
		{"api_url and client_id, among other problems", map[string]string{"api_url": "https://api.github.com", "client_id": value, "kind": "nope"}, 1,
			[]string{`unknown input "api_url": did you mean "api-url"?`, `unknown input "client_id": did you mean "client-id"?`, `kind "nope" is not one of`}, ""},
		{"unrelated names: one warning, then the step", map[string]string{"labels": "gpu", "secret-stuff": value}, 0, nil,
			`Unknown inputs "labels", "secret-stuff" are ignored: this action has no such input.`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newContainer(t)
			for k, v := range tc.with {
				c.step.SetInput(k, v)
			}
			c.run()
			if c.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", c.code, tc.code, c.errorAnnotation())
			}
			e := c.errorAnnotation()
			for _, w := range tc.error {
				if !strings.Contains(e, w) {
					t.Errorf("error %q lacks %q", e, w)
				}
			}
			var want []string
			if tc.warn != "" {
				want = []string{tc.warn}
			}
			got := c.annotations("warning")
			for i := range got {
				got[i], _, _ = strings.Cut(got[i], " Remove it")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if strings.Contains(c.stdout, value) {
				t.Error("the log holds an unknown input's value")
			}
			issued := c.sim.Issued()
			if tc.code != 0 {
				if len(c.sim.Requests()) != 0 || len(issued) != 0 || len(c.outputs) != 0 {
					t.Errorf("%d requests, %d tokens, %d outputs: want none", len(c.sim.Requests()), len(issued), len(c.outputs))
				}
				return
			}
			if len(issued) != 1 || c.outputs["token"] != issued[0].Token {
				t.Fatalf("issued %d tokens, want 1, the output", len(issued))
			}
			c.assertStepContract(t, "Runner registration token minted", issued[0].Token)
		})
	}
}
