package action

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/fakeclock"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// Credentials the simulator knows. They are fake, but tests treat them as
// secrets all the same: no failure message ever prints one.
const (
	adminToken       = "ghp_adminAdminAdminAdminAdminAdmin0001"
	fineGrainedToken = "github_pat_11AAAAAAA0fineGrainedNoAdmin0002"
	installToken     = "ghs_installationTokenLikeGITHUBTOKEN03"
	unknownToken     = "ghp_unknownUnknownUnknownUnknownUnkn04"
)

// harness runs the action in-process against a fresh simulator, with the
// environment a runner gives a container action.
type harness struct {
	t       *testing.T
	sim     *ghsim.Server
	clock   *fakeclock.Clock // retries wait on it: nothing really sleeps
	jitter  float64          // the random part of every wait; 0 unless a test sets it
	env     map[string]string
	stdout  bytes.Buffer
	outFile string
	sumFile string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	sim := ghsim.Start(t)
	sim.AddCredential("admin", adminToken, ghsim.Credential{Type: ghsim.ClassicPAT, Admin: []string{"octo-org/app", "octo-org", "enterprises/octo-ent"}})
	sim.AddCredential("fine-grained", fineGrainedToken, ghsim.Credential{Type: ghsim.FineGrainedPAT})
	sim.AddCredential("installation", installToken, ghsim.Credential{Type: ghsim.Installation})

	dir := t.TempDir()
	h := &harness{t: t, sim: sim, clock: fakeclock.New(time.Now()), outFile: filepath.Join(dir, "set_output"), sumFile: filepath.Join(dir, "step_summary")}
	for _, f := range []string{h.outFile, h.sumFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h.env = map[string]string{
		"INPUT_TOKEN":       adminToken,
		"INPUT_API-URL":     sim.URL(),
		"INPUT_KIND":        "registration",
		"GITHUB_REPOSITORY": "octo-org/app",
		// A GHES workflow whose own API is the simulator, as action.yml's
		// default api-url (github.api_url) gives it.
		"GITHUB_API_URL":      sim.URL(),
		"GITHUB_SERVER_URL":   "https://ghes.example.com",
		"GITHUB_OUTPUT":       h.outFile,
		"GITHUB_STEP_SUMMARY": h.sumFile,
	}
	return h
}

func (h *harness) set(kv map[string]string) *harness {
	for k, v := range kv {
		h.env[k] = v
	}
	return h
}

func (h *harness) run() int {
	h.t.Helper()
	return Main(context.Background(), h.processEnv())
}

// processEnv is what main.go would pass, with the fake clock.
func (h *harness) processEnv() Env {
	return Env{
		Getenv: func(k string) string { return h.env[k] },
		Environ: func() []string {
			var kv []string
			for k, v := range h.env {
				kv = append(kv, k+"="+v)
			}
			return kv
		},
		Stdout:     &h.stdout,
		HTTPClient: h.sim.Client(),
		Now:        h.clock.Now,
		Sleep:      h.clock.Sleep,
		Jitter:     func() float64 { return h.jitter },
	}
}

func (h *harness) outputs() map[string]string {
	h.t.Helper()
	b, err := os.ReadFile(h.outFile)
	if err != nil {
		h.t.Fatal(err)
	}
	out, err := runnertest.ParseFileCommand(string(b))
	if err != nil {
		h.t.Fatalf("GITHUB_OUTPUT does not parse as the runner reads it: %v", err)
	}
	return out
}

func (h *harness) file(name string) string {
	h.t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

// errors returns the ::error:: annotations the step wrote.
func (h *harness) errors() []string {
	var e []string
	for _, c := range runnertest.ParseLog(h.stdout.String()) {
		if c.Name == "error" {
			e = append(e, c.Message)
		}
	}
	return e
}

func TestMintEveryScopeAndKind(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name      string
		inputs    map[string]string
		wantPath  string
		wantURL   string
		wantKind  string
		wantShown string
	}{
		{"repository registration (workflow's own)", nil, "/api/v3/repos/octo-org/app/actions/runners/registration-token", "https://ghes.example.com/octo-org/app", "registration", "repository `octo-org/app`"},
		{"repository remove", map[string]string{"INPUT_REPOSITORY": "octo-org/app", "INPUT_KIND": "remove"}, "/api/v3/repos/octo-org/app/actions/runners/remove-token", "https://ghes.example.com/octo-org/app", "remove", "repository `octo-org/app`"},
		{"organization registration", map[string]string{"INPUT_ORGANIZATION": "octo-org"}, "/api/v3/orgs/octo-org/actions/runners/registration-token", "https://ghes.example.com/octo-org", "registration", "organization `octo-org`"},
		{"organization remove", map[string]string{"INPUT_ORGANIZATION": "octo-org", "INPUT_KIND": "remove"}, "/api/v3/orgs/octo-org/actions/runners/remove-token", "https://ghes.example.com/octo-org", "remove", "organization `octo-org`"},
		{"enterprise registration", map[string]string{"INPUT_ENTERPRISE": "octo-ent"}, "/api/v3/enterprises/octo-ent/actions/runners/registration-token", "https://ghes.example.com/enterprises/octo-ent", "registration", "enterprise `octo-ent`"},
		{"enterprise remove", map[string]string{"INPUT_ENTERPRISE": "octo-ent", "INPUT_KIND": "REMOVE"}, "/api/v3/enterprises/octo-ent/actions/runners/remove-token", "https://ghes.example.com/enterprises/octo-ent", "remove", "enterprise `octo-ent`"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t).set(tc.inputs)
			if code := h.run(); code != 0 {
				t.Fatalf("exit code %d, errors: %q", code, h.errors())
			}

			issued := h.sim.Issued()
			if len(issued) != 1 {
				t.Fatalf("simulator issued %d tokens, want 1", len(issued))
			}
			out := h.outputs()
			if out["token"] != issued[0].Token {
				t.Errorf("output token is not the token the simulator issued")
			}
			if diff := cmp.Diff(map[string]string{"expires-at": issued[0].ExpiresAt, "runner-url": tc.wantURL},
				map[string]string{"expires-at": out["expires-at"], "runner-url": out["runner-url"]}); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
			if len(out) != 3 {
				t.Errorf("got %d outputs, want exactly token, expires-at and runner-url", len(out))
			}

			reqs := h.sim.Requests()
			if len(reqs) != 1 {
				t.Fatalf("API got %d requests, want exactly 1", len(reqs))
			}
			r := reqs[0]
			got := []string{r.Method, r.Path, r.Credential, r.AuthScheme, r.Header.Get("User-Agent"), r.Header.Get("X-GitHub-Api-Version"), string(r.Body)}
			want := []string{"POST", tc.wantPath, "admin", "Bearer", "runner-token-action", "2022-11-28", ""}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}

			for name, secret := range map[string]string{"token input": adminToken, "minted token": issued[0].Token} {
				if err := runnertest.CheckSecret(h.stdout.String(), secret); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			sum := h.file(h.sumFile)
			if strings.Contains(sum, issued[0].Token) || strings.Contains(sum, adminToken) {
				t.Errorf("step summary contains a credential")
			}
			for _, w := range []string{tc.wantKind, tc.wantShown, tc.wantURL, issued[0].ExpiresAt} {
				if !strings.Contains(sum, w) {
					t.Errorf("step summary lacks %q:\n%s", w, sum)
				}
			}
		})
	}
}

func TestMaskingOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	lines := runnertest.ParseLog(h.stdout.String())
	// The input credential is masked before the first line of anything else.
	if lines[0].Name != "add-mask" || lines[0].Message != adminToken {
		t.Errorf("first line is not the token input's ::add-mask::")
	}
	// The minted token is masked before any other line once it has arrived:
	// the request's debug line is written when the answer's headers come in,
	// before its body (the token) is read.
	issued := h.sim.Issued()[0].Token
	var seen []string
	for _, c := range lines {
		if c.Name == "add-mask" && c.Message == issued {
			break
		}
		seen = append(seen, c.Name)
	}
	if diff := cmp.Diff([]string{"add-mask", "", "debug"}, seen); diff != "" {
		t.Errorf("lines before the minted token's mask (-want +got):\n%s", diff)
	}
	rendered := runnertest.Render(h.stdout.String(), false)
	for _, w := range []string{"Minting a registration token for repository octo-org/app at " + h.sim.URL(), "Runner URL: https://ghes.example.com/octo-org/app"} {
		if !strings.Contains(rendered, w) {
			t.Errorf("log lacks %q:\n%s", w, rendered)
		}
	}
}

func TestServerURLForEachPlatform(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"GHES workflow on its own API", nil, "https://ghes.example.com/octo-org/app"},
		{"simulator as a GHES from a github.com workflow", map[string]string{"GITHUB_API_URL": "https://api.github.com", "GITHUB_SERVER_URL": "https://github.com"}, "SIMHOST/octo-org/app"},
		{"api-url with trailing slash", map[string]string{"INPUT_API-URL": "SIM/", "INPUT_ORGANIZATION": "octo-org", "GITHUB_API_URL": "https://api.github.com"}, "SIMHOST/octo-org"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			simURL := h.sim.URL()
			for k, v := range tc.env {
				h.env[k] = strings.Replace(v, "SIM", simURL, 1)
			}
			if code := h.run(); code != 0 {
				t.Fatalf("exit code %d: %q", code, h.errors())
			}
			want := strings.Replace(tc.want, "SIMHOST", strings.TrimSuffix(simURL, "/api/v3"), 1)
			if got := h.outputs()["runner-url"]; got != want {
				t.Errorf("runner-url = %q, want %q", got, want)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name         string
		inputs       map[string]string
		wantRequests int
		want         []string
	}{
		{
			name:   "missing token",
			inputs: map[string]string{"INPUT_TOKEN": ""},
			want:   []string{"inputs need fixing", "input token is required"},
		},
		{
			name:   "two targets",
			inputs: map[string]string{"INPUT_REPOSITORY": "octo-org/app", "INPUT_ENTERPRISE": "octo-ent"},
			want:   []string{"repository and enterprise are all set", "at most one"},
		},
		{
			name:   "malformed repository",
			inputs: map[string]string{"INPUT_REPOSITORY": "octo-org/app/extra"},
			want:   []string{`repository "octo-org/app/extra": expected owner/name`},
		},
		{
			name:   "unknown kind",
			inputs: map[string]string{"INPUT_KIND": "admin"},
			want:   []string{`kind "admin" is not one of: registration, remove`},
		},
		{
			name:   "insecure api-url",
			inputs: map[string]string{"INPUT_API-URL": "http://ghes.example.com/api/v3"},
			want:   []string{"plain http", "use https"},
		},
		{
			name:   "malformed api-url",
			inputs: map[string]string{"INPUT_API-URL": "ghes.example.com/api/v3"},
			want:   []string{"not an absolute URL"},
		},
		{
			name:         "bad credential (401)",
			inputs:       map[string]string{"INPUT_TOKEN": unknownToken},
			wantRequests: 1,
			want:         []string{"could not mint a registration token for repository octo-org/app", "401 Unauthorized", `"Bad credentials"`, "[request ID ", "bad, expired or revoked"},
		},
		{
			name:         "fine-grained token without Administration (403)",
			inputs:       map[string]string{"INPUT_TOKEN": fineGrainedToken},
			wantRequests: 1,
			want:         []string{"403 Forbidden", `"Resource not accessible by personal access token"`, "[request ID ", "classic personal access token with the repo scope", `"Administration: write"`, "GITHUB_TOKEN can never mint"},
		},
		{
			name:         "installation token on an organization (403)",
			inputs:       map[string]string{"INPUT_TOKEN": installToken, "INPUT_ORGANIZATION": "octo-org"},
			wantRequests: 1,
			want:         []string{"organization octo-org", `"Resource not accessible by integration"`, "admin:org", `"Self-hosted runners: write"`, "GITHUB_TOKEN can never mint"},
		},
		{
			name:         "enterprise without manage_runners (403)",
			inputs:       map[string]string{"INPUT_TOKEN": installToken, "INPUT_ENTERPRISE": "octo-ent", "INPUT_KIND": "remove"},
			wantRequests: 1,
			want:         []string{"could not mint a remove token for enterprise octo-ent", "manage_runners:enterprise", "GITHUB_TOKEN can never mint"},
		},
		{
			name:         "repository not found (404)",
			inputs:       map[string]string{"INPUT_REPOSITORY": "octo-org/gone"},
			wantRequests: 1,
			want:         []string{"404 Not Found", `"Not Found"`, "does not exist or this credential cannot see it", "repo scope"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t).set(tc.inputs)
			assertFailed(t, h, tc.wantRequests, tc.want)
		})
	}
}

// assertFailed checks the contract of every failure: exit code 1, exactly
// one ::error:: that says what it should, no output set, no credential shown.
func assertFailed(t *testing.T, h *harness, wantRequests int, want []string) {
	t.Helper()
	if code := h.run(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	errs := h.errors()
	if len(errs) != 1 {
		t.Fatalf("got %d ::error:: annotations, want 1: %q", len(errs), errs)
	}
	for _, w := range want {
		if !strings.Contains(errs[0], w) {
			t.Errorf("error lacks %q:\n%s", w, errs[0])
		}
	}
	if got := h.file(h.outFile); got != "" {
		t.Errorf("GITHUB_OUTPUT has %d bytes, want no outputs at all", len(got))
	}
	if got := len(h.sim.Requests()); got != wantRequests {
		t.Errorf("API got %d requests, want %d", got, wantRequests)
	}
	log := h.stdout.String()
	for _, s := range append([]string{h.env["INPUT_TOKEN"]}, issuedTokens(h.sim)...) {
		if s == "" {
			continue
		}
		if err := runnertest.CheckSecret(log, s); err != nil {
			t.Errorf("credential in the log: %v", err)
		}
	}
}

func issuedTokens(sim *ghsim.Server) []string {
	var s []string
	for _, i := range sim.Issued() {
		s = append(s, i.Token)
	}
	return s
}

// respond makes the simulator answer every request with status and body.
func respond(status int, body string) func(http.Handler) http.Handler {
	return func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("X-GitHub-Request-Id", "ABCD:1234:5678:9ABC:DEF0")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		})
	}
}

func TestBrokenAnswers(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name     string
		status   int
		body     string
		want     []string
		requests int
	}{
		{"success without a token", 201, `{"expires_at":"2026-11-25T15:00:00.000+00:00"}`, []string{"GitHub's answer has no token"}, 1},
		{"success with an empty body", 201, ``, []string{"GitHub's answer has no token"}, 1},
		{"success that is not JSON", 201, `<html>sign in</html>`, []string{"not valid JSON", "status 201", "REST API's URL"}, 1},
		{"web host instead of API (HTML 404)", 404, `<html>Not Found</html>`, []string{"404 Not Found", "not GitHub API JSON", "not the GitHub REST API answering", "/api/v3"}, 1},
		{"unparsable expiry", 201, `{"token":"AAAATOKENFROMABROKENSERVER000","expires_at":"tomorrow"}`, []string{`expires_at "tomorrow" is not an RFC 3339 time`}, 1},
		{"control character in the token", 201, `{"token":"AAAATOKEN\u0000X","expires_at":"2026-11-25T15:00:00.000+00:00"}`, []string{"refusing to set output token", "control characters"}, 1},
		{"escape sequence in the expiry", 201, `{"token":"AAAATOKEN","expires_at":"2026-11-25T15:00:00.000+00:00\u001b[2J"}`, []string{"is not an RFC 3339 time"}, 1},
		{"line break in the token", 201, `{"token":"AAAATOKEN\nother=injected","expires_at":"2026-11-25T15:00:00.000+00:00"}`, []string{"refusing to set output token", "line break"}, 1},
		// Retried five times, waiting 0.5-1, 1-2, 2-4 and 4-8 s between.
		{"server error", 502, `{"message":"Server Error"}`, []string{"502 Bad Gateway", "after 5 attempts", "githubstatus.com"}, 5},
		// GitHub asks for a minute between tries without Retry-After: two
		// waits fit in the 2 minute timeout, a third would not.
		{"rate limited", 429, `{"message":"API rate limit exceeded"}`, []string{"429 Too Many Requests", "after 3 attempts over 2m0s", "not retried: GitHub asked to wait 1m0s before trying again, and only ", "of the step's timeout remained", "a larger `timeout` input", "rate limiting"}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.sim.Wrap(respond(tc.status, tc.body))
			assertFailed(t, h, tc.requests, tc.want)
			if strings.Contains(h.stdout.String(), "injected") && !strings.Contains(h.stdout.String(), "::add-mask::AAAATOKEN%0Aother=injected") {
				t.Errorf("the injected text reached the log outside a mask")
			}
		})
	}
}

func TestHostileErrorMessageCannotLeakTheToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sim.Wrap(respond(403, `{"message":"no access for token `+adminToken+`"}`))
	if code := h.run(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if err := runnertest.CheckSecret(h.stdout.String(), adminToken); err != nil {
		t.Fatalf("server echoed the token into the error and it reached the log: %v", err)
	}
	if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], "no access for token ***") {
		t.Errorf("error = %q, want GitHub's message with the token masked", e)
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()

	t.Run("same host is followed with the credential", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.sim.Wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.Contains(r.URL.Path, "/old-name/") {
					http.Redirect(w, r, strings.Replace(r.URL.Path, "/old-name/", "/app/", 1), http.StatusTemporaryRedirect)
					return
				}
				next.ServeHTTP(w, r)
			})
		})
		h.set(map[string]string{"INPUT_REPOSITORY": "octo-org/old-name"})
		if code := h.run(); code != 0 {
			t.Fatalf("exit code %d: %q", code, h.errors())
		}
		var got []string
		for _, r := range h.sim.Requests() {
			got = append(got, r.Method+" "+r.Path+" as "+r.Credential)
		}
		want := []string{
			"POST /api/v3/repos/octo-org/old-name/actions/runners/registration-token as admin",
			"POST /api/v3/repos/octo-org/app/actions/runners/registration-token as admin",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
	})

	t.Run("another host is refused and gets nothing", func(t *testing.T) {
		t.Parallel()
		var hits atomic.Int32
		var gotAuth atomic.Bool
		other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			gotAuth.Store(r.Header.Get("Authorization") != "")
		}))
		t.Cleanup(other.Close)
		h := newHarness(t)
		h.sim.Wrap(func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
			})
		})
		assertFailed(t, h, 1, []string{"redirect to another host refused", "the credential is not sent there"})
		if hits.Load() != 0 || gotAuth.Load() {
			t.Errorf("the other host got %d requests (credential: %v), want none", hits.Load(), gotAuth.Load())
		}
	})
}

func TestUnreachableAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sim.Close()
	assertFailed(t, h, 0, []string{"could not mint a registration token", "could not reach the GitHub API at 127.0.0.1:"})
}

func TestCancelled(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code := Main(ctx, h.processEnv())
	if code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], "cancelled before a credential was minted") {
		t.Errorf("errors = %q", e)
	}
}

func TestNoStepSummaryFileIsFine(t *testing.T) {
	t.Parallel()
	h := newHarness(t).set(map[string]string{"GITHUB_STEP_SUMMARY": ""})
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	if h.outputs()["token"] == "" {
		t.Error("no token output")
	}
}

func TestUnwritableOutputFile(t *testing.T) {
	t.Parallel()
	h := newHarness(t).set(map[string]string{"GITHUB_OUTPUT": filepath.Join(t.TempDir(), "missing-dir", "out")})
	if code := h.run(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], "writing outputs to GITHUB_OUTPUT") {
		t.Errorf("errors = %q", e)
	}
	if err := runnertest.CheckSecret(h.stdout.String(), h.sim.Issued()[0].Token); err != nil {
		t.Error(err)
	}
}

// TestOutputValuesCannotInject: whatever GitHub sends, the outputs the
// runner reads back are exactly the values, or none at all.
func TestOutputValuesCannotInject(t *testing.T) {
	t.Parallel()
	for _, token := range []string{
		"AAAA%0Aother=injected%25",                  // workflow-command escapes mean nothing in a file command
		"AAAA_GitHubActionsFileCommandDelimeter_BB", // the heredoc delimiter, not on a line of its own
		"AAAA<<EOF",
		"AAAA=x",
	} {
		h := newHarness(t)
		body := fmt.Sprintf(`{"token":%q,"expires_at":"2026-11-25T15:00:00.000+00:00"}`, token)
		h.sim.Wrap(respond(201, body))
		if code := h.run(); code != 0 {
			t.Fatalf("token %d: exit %d: %q", len(token), code, h.errors())
		}
		out := h.outputs()
		if out["token"] != token || len(out) != 3 {
			t.Errorf("token of %d bytes: the runner reads %d outputs and a token that differs", len(token), len(out))
		}
		if err := runnertest.CheckSecret(h.stdout.String(), token); err != nil {
			t.Error(err)
		}
	}
}
