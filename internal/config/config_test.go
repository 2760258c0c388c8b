package config

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/target"
)

const secret = "ghp_s3cretValueThatMustNeverPrint0001"

// env builds a getenv from the runner's variables, with a valid baseline
// that each case edits.
func env(edits map[string]string) func(string) string {
	m := map[string]string{
		"INPUT_TOKEN":       secret,
		"GITHUB_REPOSITORY": "octo-org/app",
		"GITHUB_API_URL":    "https://api.github.com",
		"GITHUB_SERVER_URL": "https://github.com",
		"GITHUB_OUTPUT":     "/github/file_commands/set_output_1",
	}
	for k, v := range edits {
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// parseErr is Parse's error for the inputs getenv gives.
func parseErr(t *testing.T, getenv func(string) string) error {
	t.Helper()
	_, err := load(t, getenv).Parse()
	return err
}

func load(t *testing.T, getenv func(string) string) *Inputs {
	t.Helper()
	in, err := Read(context.Background(), getenv)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return in
}

func TestParse(t *testing.T) {
	t.Parallel()

	type want struct {
		Target target.Target
		Kind   Kind
		API    string
		Server string
	}
	repo := target.Target{Scope: target.Repository, Owner: "octo-org", Repo: "app"}
	cases := []struct {
		name  string
		edits map[string]string
		want  want
	}{
		{
			name: "defaults: workflow repository, registration, workflow API",
			want: want{repo, Registration, "https://api.github.com", "https://github.com"},
		},
		{
			name:  "hyphenated input names as the runner passes them",
			edits: map[string]string{"INPUT_API-URL": "https://ghes.example.com/api/v3", "INPUT_KIND": "remove"},
			want:  want{repo, Remove, "https://ghes.example.com/api/v3", "https://ghes.example.com"},
		},
		{
			name:  "kind in any case, blanks trimmed",
			edits: map[string]string{"INPUT_KIND": "  Remove\n", "INPUT_REPOSITORY": " other/repo "},
			want:  want{target.Target{Scope: target.Repository, Owner: "other", Repo: "repo"}, Remove, "https://api.github.com", "https://github.com"},
		},
		{
			name:  "organization",
			edits: map[string]string{"INPUT_ORGANIZATION": "octo-org"},
			want:  want{target.Target{Scope: target.Organization, Owner: "octo-org"}, Registration, "https://api.github.com", "https://github.com"},
		},
		{
			name:  "enterprise on GHE.com",
			edits: map[string]string{"INPUT_ENTERPRISE": "octo-ent", "INPUT_API-URL": "https://api.octocorp.ghe.com"},
			want:  want{target.Target{Scope: target.Enterprise, Owner: "octo-ent"}, Registration, "https://api.octocorp.ghe.com", "https://octocorp.ghe.com"},
		},
		{
			name:  "GHES workflow: server from GITHUB_SERVER_URL",
			edits: map[string]string{"GITHUB_API_URL": "https://ghes.internal/api/v3", "GITHUB_SERVER_URL": "https://ghes.internal"},
			want:  want{repo, Registration, "https://ghes.internal/api/v3", "https://ghes.internal"},
		},
		{
			name:  "proxy URL kept exactly, server from the workflow",
			edits: map[string]string{"INPUT_API-URL": "https://proxy.corp/github/"},
			want:  want{repo, Registration, "https://proxy.corp/github/", "https://github.com"},
		},
		{
			name:  "github.com target from a GHES workflow",
			edits: map[string]string{"INPUT_API-URL": "https://api.github.com", "GITHUB_API_URL": "https://ghes.internal/api/v3", "GITHUB_SERVER_URL": "https://ghes.internal"},
			want:  want{repo, Registration, "https://api.github.com", "https://github.com"},
		},
		{
			name:  "loopback http allowed",
			edits: map[string]string{"INPUT_API-URL": "http://127.0.0.1:8080/api/v3"},
			want:  want{repo, Registration, "http://127.0.0.1:8080/api/v3", "http://127.0.0.1:8080"},
		},
		{
			name:  "outside a runner: api.github.com",
			edits: map[string]string{"GITHUB_API_URL": "", "GITHUB_SERVER_URL": ""},
			want:  want{repo, Registration, "https://api.github.com", "https://github.com"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, env(tc.edits)).Parse()
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := want{c.Target, c.Kind, c.API.String(), c.Server.String()}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name  string
		edits map[string]string
		want  []string // each must appear in the one error
	}{
		{"missing token", map[string]string{"INPUT_TOKEN": ""}, []string{"input token is required"}},
		{"blank token", map[string]string{"INPUT_TOKEN": " \n"}, []string{"input token is required"}},
		{"two targets", map[string]string{"INPUT_REPOSITORY": "o/r", "INPUT_ORGANIZATION": "o"}, []string{"repository and organization are all set"}},
		{"three targets", map[string]string{"INPUT_REPOSITORY": "o/r", "INPUT_ORGANIZATION": "o", "INPUT_ENTERPRISE": "e"}, []string{"repository and organization and enterprise"}},
		{"malformed repository", map[string]string{"INPUT_REPOSITORY": "octo"}, []string{`repository "octo": expected owner/name`}},
		{"no target at all", map[string]string{"GITHUB_REPOSITORY": ""}, []string{"no target"}},
		{"unknown kind", map[string]string{"INPUT_KIND": "jitter"}, []string{`kind "jitter" is not one of: registration, remove`}},
		{"insecure api-url", map[string]string{"INPUT_API-URL": "http://ghes.example.com/api/v3"}, []string{"plain http", "unencrypted"}},
		{"relative api-url", map[string]string{"INPUT_API-URL": "api.github.com"}, []string{"not an absolute URL"}},
		{"api-url scheme", map[string]string{"INPUT_API-URL": "ftp://ghes.example.com"}, []string{`scheme "ftp"`}},
		{"api-url query", map[string]string{"INPUT_API-URL": "https://ghes.example.com/api/v3?x=1"}, []string{"query or fragment"}},
		{"api-url unparsable", map[string]string{"INPUT_API-URL": "https://ghes example.com/%zz"}, []string{"not a valid URL"}},
		{"no GITHUB_OUTPUT", map[string]string{"GITHUB_OUTPUT": ""}, []string{"GITHUB_OUTPUT is not set"}},
		{
			name: "every problem at once",
			edits: map[string]string{
				"INPUT_TOKEN": "", "INPUT_REPOSITORY": "o/r", "INPUT_ENTERPRISE": "e",
				"INPUT_KIND": "nope", "INPUT_API-URL": "http://example.com", "GITHUB_OUTPUT": "",
			},
			want: []string{"token is required", "repository and enterprise", `kind "nope"`, "plain http", "GITHUB_OUTPUT"},
		},
		// Kind jit's inputs.
		{"jit inputs with kind registration", map[string]string{"INPUT_RUNNER-LABELS": "gpu", "INPUT_WORK-FOLDER": "w"},
			[]string{"input runner-labels applies only to kinds jit, prune: remove it, or set kind to one of jit, prune", "input work-folder applies only to kind jit: remove it, or set kind: jit"}},
		{"jit input with kind remove", map[string]string{"INPUT_KIND": "remove", "INPUT_RUNNER-NAME": "r"},
			[]string{"input runner-name applies only to kinds jit, delete-runner, wait: remove it, or set kind to one of jit, delete-runner, wait"}},
		{"jit inputs with kind delete-runner", map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-ID": "7", "INPUT_RUNNER-LABELS": "gpu", "INPUT_RUNNER-GROUP": "g"},
			[]string{"input runner-labels applies only to kinds jit, prune", "input runner-group applies only to kind jit: remove it, or set kind: jit"}},
		// Kind delete-runner's inputs.
		{"delete-runner without a runner", map[string]string{"INPUT_KIND": "delete-runner"},
			[]string{"kind delete-runner needs input runner-id (e.g. the runner-id output of the kind: jit step that registered it) or runner-name"}},
		{"delete-runner with both", map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-ID": "7", "INPUT_RUNNER-NAME": "r"},
			[]string{"inputs runner-id and runner-name are both set"}},
		{"runner-id not a number", map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-ID": "build-7"},
			[]string{`input runner-id "build-7" is not a runner id`}},
		{"runner-id zero", map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-ID": "0"}, []string{`input runner-id "0" is not a runner id`}},
		{"runner-id signed", map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-ID": "+7"}, []string{`input runner-id "+7" is not a runner id`}},
		{"runner-id too large", map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-ID": "99999999999999999999"}, []string{"is not a runner id"}},
		{"runner-name bad for delete-runner", map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-NAME": "a b"}, []string{`input runner-name "a b" contains ' '`}},
		{"runner-id with kind jit", map[string]string{"INPUT_KIND": "jit", "INPUT_RUNNER-ID": "7"},
			[]string{"input runner-id applies only to kinds delete-runner, wait: remove it, or set kind to one of delete-runner, wait"}},
		// runner-platform.
		{"runner-platform with kind remove", map[string]string{"INPUT_KIND": "remove", "INPUT_RUNNER-PLATFORM": "linux-x64"},
			[]string{"input runner-platform applies only to kinds registration, jit: remove it, or set kind to one of registration, jit"}},
		{"runner-platform with kind delete-runner", map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-ID": "7", "INPUT_RUNNER-PLATFORM": "linux-x64"},
			[]string{"input runner-platform applies only to kinds registration, jit"}},
		{"runner-platform malformed", map[string]string{"INPUT_RUNNER-PLATFORM": "linux"},
			[]string{`input runner-platform "linux" is not OS-ARCH as GitHub names runner platforms: give one of linux-x64, linux-arm64, linux-arm, osx-x64, osx-arm64, win-x64, win-arm64`}},
		{"runner-platform as Docker names it", map[string]string{"INPUT_RUNNER-PLATFORM": "linux-amd64"},
			[]string{`input runner-platform "linux-amd64": GitHub names this platform linux-x64`}},
		{"runner-platform as Apple names it", map[string]string{"INPUT_KIND": "jit", "INPUT_RUNNER-PLATFORM": "macOS-aarch64"},
			[]string{`input runner-platform "macOS-aarch64": GitHub names this platform osx-arm64`}},
		{"non-default group for a repository", map[string]string{"INPUT_KIND": "jit", "INPUT_RUNNER-GROUP": "gpu"},
			[]string{`input runner-group "gpu": a repository's self-hosted runners are always in its default runner group (id 1)`, "input organization or enterprise"}},
		{
			name: "every jit problem at once, with the others",
			edits: map[string]string{
				"INPUT_TOKEN": "", "INPUT_KIND": "jit", "INPUT_RUNNER-NAME": strings.Repeat("n", 65),
				"INPUT_RUNNER-LABELS": "a,,b", "INPUT_RUNNER-GROUP": "0", "INPUT_WORK-FOLDER": "a\x01b",
			},
			want: []string{
				"token is required", "input runner-name is 65 characters long; GitHub allows at most 64",
				"input runner-labels: entry 2 is empty", `input runner-group "0" is not a valid group id`, "input work-folder",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := parseErr(t, env(tc.edits))
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error contains the token")
			}
		})
	}
}

func TestAPIURLCredentialsNeverShown(t *testing.T) {
	t.Parallel()
	err := parseErr(t, env(map[string]string{"INPUT_API-URL": "https://user:" + secret + "@ghes.example.com/api/v3"}))
	if err == nil || !strings.Contains(err.Error(), "contains credentials") {
		t.Fatalf("Parse error = %v, want one about credentials in api-url", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error shows the password from api-url")
	}
}

func TestLogValueRedacts(t *testing.T) {
	t.Parallel()
	c := load(t, env(map[string]string{"INPUT_ORGANIZATION": "octo-org", "INPUT_RUNNER-NAME": "build-7"}))
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", c)
	out := buf.String()
	if strings.Contains(out, secret) {
		t.Fatalf("log shows the token: %s", out)
	}
	for _, w := range []string{"config.token=[redacted]", "config.organization=octo-org", "config.runner-name=build-7"} {
		if !strings.Contains(out, w) {
			t.Errorf("log %q lacks %q", out, w)
		}
	}
}

// TestLogValueRedactsEveryCredential: with every input set, LogValue shows
// each one, except the credentials' values.
func TestLogValueRedactsEveryCredential(t *testing.T) {
	t.Parallel()
	edits := map[string]string{}
	for _, n := range InputNames() {
		edits["INPUT_"+strings.ToUpper(n)] = "value-of-" + n
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", load(t, env(edits)))
	out := buf.String()
	for _, n := range InputNames() {
		credential := n == "token" || n == "private-key"
		if shown := strings.Contains(out, "value-of-"+n); shown == credential {
			t.Errorf("input %s shown: %v, want %v", n, shown, !credential)
		}
		if credential && !strings.Contains(out, "config."+n+"=[redacted]") {
			t.Errorf("log %q lacks %s=[redacted]", out, n)
		}
	}
}

// TestInputKinds: the kinds tags name real kinds, as the docs spell them:
// a misspelt one would refuse the input with the very kind it is for.
func TestInputKinds(t *testing.T) {
	t.Parallel()
	for _, i := range new(Inputs).inputs() {
		for _, k := range strings.Split(i.kinds, ", ") {
			if got, err := ParseKind(k); i.kinds != "" && (err != nil || string(got) != k) {
				t.Errorf("input %s: kind %q is not one of %v", i.name, k, kinds)
			}
		}
	}
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff([]string{secret}, load(t, env(nil)).Secrets()); diff != "" {
		t.Errorf("Secrets (-want +got):\n%s", diff)
	}
	if got := load(t, env(map[string]string{"INPUT_TOKEN": ""})).Secrets(); len(got) != 0 {
		t.Errorf("Secrets = %d values, want none", len(got))
	}
}

func TestParseJIT(t *testing.T) {
	t.Parallel()
	ci := map[string]string{"INPUT_KIND": "jit", "GITHUB_RUN_ID": "9876543210", "GITHUB_RUN_ATTEMPT": "2"}
	with := func(kv map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range ci {
			m[k] = v
		}
		for k, v := range kv {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name     string
		edits    map[string]string
		wantName string // a regexp
		want     JITRequest
	}{
		{
			name:     "defaults",
			edits:    ci,
			wantName: `^app-9876543210-2-[0-9a-f]{8}$`,
			want:     JITRequest{Generated: true, Labels: []string{"self-hosted"}, WorkFolder: "_work"},
		},
		{
			name:     "kind in any case, outside a run",
			edits:    map[string]string{"INPUT_KIND": "JIT"},
			wantName: `^app-[0-9a-f]{8}$`,
			want:     JITRequest{Generated: true, Labels: []string{"self-hosted"}, WorkFolder: "_work"},
		},
		{
			name: "everything given, labels on lines",
			edits: with(map[string]string{
				"INPUT_RUNNER-NAME": "build-7", "INPUT_RUNNER-LABELS": "self-hosted\nLinux, gpu\nlinux\n",
				"INPUT_ORGANIZATION": "octo-org", "INPUT_RUNNER-GROUP": "gpu runners", "INPUT_WORK-FOLDER": "/mnt/work",
			}),
			wantName: `^build-7$`,
			want:     JITRequest{Labels: []string{"self-hosted", "Linux", "gpu"}, Group: Group{Name: "gpu runners"}, WorkFolder: "/mnt/work"},
		},
		{
			name:     "group id for an enterprise",
			edits:    with(map[string]string{"INPUT_ENTERPRISE": "octo-ent", "INPUT_RUNNER-GROUP": "7"}),
			wantName: `^app-9876543210-2-[0-9a-f]{8}$`,
			want:     JITRequest{Generated: true, Labels: []string{"self-hosted"}, Group: Group{ID: 7}, WorkFolder: "_work"},
		},
		{
			name:     "a repository's default group, by name",
			edits:    with(map[string]string{"INPUT_RUNNER-GROUP": "Default"}),
			wantName: `^app-`,
			want:     JITRequest{Generated: true, Labels: []string{"self-hosted"}, Group: Group{Name: "Default"}, WorkFolder: "_work"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, env(tc.edits)).Parse()
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.Kind != JIT {
				t.Errorf("kind = %q", c.Kind)
			}
			got := c.JIT
			if !regexp.MustCompile(tc.wantName).MatchString(got.Name) {
				t.Errorf("name %q does not match %s", got.Name, tc.wantName)
			}
			got.Name = ""
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	// Two runs of the same attempt (a workflow calling the action twice)
	// get different names.
	a, aErr := load(t, env(ci)).Parse()
	b, bErr := load(t, env(ci)).Parse()
	if aErr != nil || bErr != nil || a.JIT.Name == b.JIT.Name {
		t.Fatalf("default names %v and %v (%v, %v), want two different ones", a, b, aErr, bErr)
	}
}

// appKey is generated once, at test time: no key file is checked in.
func appKey() (*rsa.PrivateKey, string, error) {
	k := generated()
	return k.key, k.pem, k.err
}

var generated = sync.OnceValue(func() (k struct {
	key *rsa.PrivateKey
	pem string
	err error
}) {
	k.key, k.pem, k.err = ghsim.NewAppKey()
	return k
})

// appEnv is a valid GitHub App configuration: no token, app-id and key.
func appEnv(t *testing.T, edits map[string]string) func(string) string {
	t.Helper()
	_, pemText, err := appKey()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{"INPUT_TOKEN": "", "INPUT_APP-ID": "123456", "INPUT_PRIVATE-KEY": pemText}
	for k, v := range edits {
		m[k] = v
	}
	return env(m)
}

func TestParseApp(t *testing.T) {
	t.Parallel()
	key, pemText, _ := appKey()
	escaped := strings.ReplaceAll(strings.TrimSpace(pemText), "\n", `\n`)
	cases := []struct {
		name   string
		edits  map[string]string
		wantID string
		target target.Scope
	}{
		{"App ID, repository", nil, "123456", target.Repository},
		{"Client ID, organization", map[string]string{"INPUT_APP-ID": "Iv23liAbCdEf012345", "INPUT_ORGANIZATION": "octo-org"}, "Iv23liAbCdEf012345", target.Organization},
		{`key with \n escapes`, map[string]string{"INPUT_PRIVATE-KEY": escaped}, "123456", target.Repository},
		{"client-id instead of app-id", map[string]string{"INPUT_APP-ID": "", "INPUT_CLIENT-ID": "Iv23liAbCdEf012345"}, "Iv23liAbCdEf012345", target.Repository},
		{"client-id and app-id, equal", map[string]string{"INPUT_APP-ID": "Iv23liAbCdEf012345", "INPUT_CLIENT-ID": "Iv23liAbCdEf012345"}, "Iv23liAbCdEf012345", target.Repository},
		{"an App ID in client-id", map[string]string{"INPUT_APP-ID": "", "INPUT_CLIENT-ID": "0042"}, "42", target.Repository},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, appEnv(t, tc.edits)).Parse()
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			app := c.Credential.App
			if app == nil || app.ID != tc.wantID || !app.Key.Equal(key) || c.Target.Scope != tc.target {
				t.Errorf("App = %v, target %v", app != nil, c.Target)
			}
		})
	}
	if c, err := load(t, env(nil)).Parse(); err != nil || c.Credential.App != nil || c.Credential.Token != secret {
		t.Error("a token configuration has an App, or not the token")
	}
}

func TestParseAppErrors(t *testing.T) {
	t.Parallel()
	_, pemText, _ := appKey()
	cases := []struct {
		name  string
		edits map[string]string
		want  []string
	}{
		{"token and app both", map[string]string{"INPUT_TOKEN": secret}, []string{"inputs token and app-id/private-key are both set"}},
		{"no credential at all", map[string]string{"INPUT_APP-ID": "", "INPUT_PRIVATE-KEY": ""}, []string{"input token is required, or app-id with private-key"}},
		{"app-id alone", map[string]string{"INPUT_PRIVATE-KEY": ""}, []string{"input private-key is required with app-id"}},
		{"private-key alone", map[string]string{"INPUT_APP-ID": ""}, []string{"input app-id is required with private-key"}},
		{"app-id is a name", map[string]string{"INPUT_APP-ID": "my-runner-app"}, []string{"input app-id is neither an App ID"}},
		{"client-id is a name", map[string]string{"INPUT_APP-ID": "", "INPUT_CLIENT-ID": "my-runner-app"}, []string{"input client-id is neither an App ID"}},
		{"client-id and app-id differ", map[string]string{"INPUT_CLIENT-ID": "Iv23liAbCdEf012345"}, []string{"inputs app-id and client-id are both set, to different values"}},
		{"client-id alone", map[string]string{"INPUT_APP-ID": "", "INPUT_CLIENT-ID": "Iv23liAbCdEf012345", "INPUT_PRIVATE-KEY": ""}, []string{"input private-key is required with client-id"}},
		{"token and client-id", map[string]string{"INPUT_TOKEN": secret, "INPUT_APP-ID": "", "INPUT_CLIENT-ID": "Iv23liAbCdEf012345", "INPUT_PRIVATE-KEY": ""}, []string{"inputs token and client-id are both set"}},
		{"key is not PEM", map[string]string{"INPUT_PRIVATE-KEY": "bm90IGEga2V5IGF0IGFsbA=="}, []string{"input private-key is not a usable GitHub App private key: it is not PEM"}},
		{"key cut short", map[string]string{"INPUT_PRIVATE-KEY": pemText[:len(pemText)/2]}, []string{"PEM armour is broken"}},
		{"enterprise", map[string]string{"INPUT_ENTERPRISE": "octo-ent"}, []string{"a GitHub App cannot mint runner tokens for an enterprise", "manage_runners:enterprise"}},
		{
			name:  "every problem at once",
			edits: map[string]string{"INPUT_TOKEN": secret, "INPUT_APP-ID": "nope", "INPUT_PRIVATE-KEY": "x", "INPUT_KIND": "nope"},
			want:  []string{"both set", "neither an App ID", "it is not PEM", `kind "nope"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, appEnv(t, tc.edits)).Parse()
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			for _, line := range strings.Split(pemText, "\n") {
				if len(line) > 20 && !strings.HasPrefix(line, "-----") && strings.Contains(err.Error(), line) {
					t.Fatal("error contains a line of the private key")
				}
			}
			if c != nil {
				t.Error("a configuration despite the error")
			}
		})
	}
}

func TestAppSecrets(t *testing.T) {
	t.Parallel()
	_, pemText, _ := appKey()
	pemText = strings.TrimSpace(pemText)
	if diff := cmp.Diff([]string{pemText}, load(t, appEnv(t, nil)).Secrets()); diff != "" {
		t.Errorf("Secrets (-want +got):\n%s", diff)
	}
	escaped := strings.ReplaceAll(pemText, "\n", `\n`)
	got := load(t, appEnv(t, map[string]string{"INPUT_PRIVATE-KEY": escaped})).Secrets()
	if len(got) != 2 || got[0] != escaped || got[1] != pemText {
		t.Errorf("Secrets of an escaped key: %d values, want the input and the key with real line breaks", len(got))
	}

	b64 := base64.StdEncoding.EncodeToString([]byte(pemText))
	got = load(t, appEnv(t, map[string]string{"INPUT_PRIVATE-KEY": b64})).Secrets()
	if diff := cmp.Diff([]string{b64, pemText}, got); diff != "" {
		t.Errorf("Secrets of a base64 key: want the input and the decoded PEM (-want +got):\n%s", diff)
	}

	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", load(t, appEnv(t, nil)))
	if strings.Contains(buf.String(), strings.Split(pemText, "\n")[1]) || !strings.Contains(buf.String(), "private-key=[redacted]") || !strings.Contains(buf.String(), "app-id=123456") {
		t.Errorf("LogValue shows the key, or not the app-id")
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 2 * time.Minute}, {"90s", 90 * time.Second}, {"120", 2 * time.Minute},
		{" 5s ", 5 * time.Second}, // blanks around an input are trimmed
		{"1h", time.Hour}, {"+120", 2 * time.Minute}, {"0003600", time.Hour}, {"1h0m0s", time.Hour},
	} {
		c, err := load(t, env(map[string]string{"INPUT_TIMEOUT": tc.in})).Parse()
		if err != nil {
			t.Errorf("timeout %q: %v", tc.in, err)
			continue
		}
		if got := c.Timeout; got != tc.want {
			t.Errorf("timeout %q = %s, want %s", tc.in, got, tc.want)
		}
	}
	// One refusal for every value that is not a duration in range: it
	// names the range and gives examples.
	for _, in := range []string{
		"soon", "1.5", "1x", "4s", "2h", "-1", "+4",
		// Whole seconds that overflow time.Duration, or int64 itself, and a
		// duration too large to parse: refused as typed, never wrapped
		// round into a small value.
		"18446744079", "99999999999", "99999999999999999999", "9999999999999h",
	} {
		err := parseErr(t, env(map[string]string{"INPUT_TIMEOUT": in}))
		want := fmt.Sprintf("input timeout %q is not a duration from 5s to 1h: give one such as 2m, 90s or 120 (seconds)", in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("timeout %q: error = %v, want %q", in, err, want)
		}
	}
}

// TestAppWithEveryKind: a valid App credential survives validation whatever
// the kind (a nil problem from one check once discarded it for kind jit).
func TestAppWithEveryKind(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"registration", "remove", "jit"} {
		c, err := load(t, appEnv(t, map[string]string{"INPUT_KIND": kind})).Parse()
		if err != nil {
			t.Errorf("kind %s: %v", kind, err)
			continue
		}
		if c.Credential.App == nil {
			t.Errorf("kind %s: the App credential was dropped", kind)
		}
	}
}

func TestParseLifecycle(t *testing.T) {
	t.Parallel()
	type want struct {
		Kind     Kind
		Runner   RunnerRef
		Platform string
	}
	cases := []struct {
		name  string
		edits map[string]string
		want  want
	}{
		{"no platform: none asked for", nil, want{Registration, RunnerRef{}, "-"}},
		{"delete by id", map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-ID": " 42\n"}, want{DeleteRunner, RunnerRef{ID: 42}, "-"}},
		{"delete by name, kind in any case", map[string]string{"INPUT_KIND": "Delete-Runner", "INPUT_RUNNER-NAME": "build-7", "INPUT_ORGANIZATION": "octo-org"},
			want{DeleteRunner, RunnerRef{Name: "build-7"}, "-"}},
		{"platform for registration, any case", map[string]string{"INPUT_RUNNER-PLATFORM": "Linux-ARM64"}, want{Registration, RunnerRef{}, "linux-arm64"}},
		{"platform for jit", map[string]string{"INPUT_KIND": "jit", "INPUT_RUNNER-PLATFORM": "win-x64"}, want{JIT, RunnerRef{}, "win-x64"}},
		{"a platform GitHub may add", map[string]string{"INPUT_RUNNER-PLATFORM": "linux-riscv64"}, want{Registration, RunnerRef{}, "linux-riscv64"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, env(tc.edits)).Parse()
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.want, want{c.Kind, c.Runner, c.Platform.String()}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestShortDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{time.Hour: "1h", 5 * time.Second: "5s", 2 * time.Minute: "2m", 90 * time.Second: "1m30s", 90 * time.Minute: "1h30m", 0: "0s", 10 * time.Second: "10s", 100 * time.Millisecond: "100ms"} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
