package action

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// appKeys are generated once per test binary: no key file is checked in.
type keyPair struct {
	key *rsa.PrivateKey
	pem string
}

var (
	appKey   = sync.OnceValue(newKeyPair)
	otherKey = sync.OnceValue(newKeyPair)
)

func newKeyPair() keyPair {
	k, p, err := ghsim.NewAppKey()
	if err != nil {
		panic(err)
	}
	return keyPair{k, p}
}

var installationID = strconv.Itoa(ghsim.ExampleInstallationID)

// newAppHarness is newHarness with the example app installed on octo-org
// and app-id/private-key as the credential instead of token.
func newAppHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.sim.AddRepository("octo-org/other")
	h.sim.AddExampleApp(appKey().key)
	return h.set(map[string]string{"INPUT_TOKEN": "", "INPUT_APP-ID": ghsim.ExampleClientID, "INPUT_PRIVATE-KEY": appKey().pem})
}

// jwts returns the masked values that are the app's JWTs.
func jwts(t *testing.T, stdout string) []string {
	t.Helper()
	var out []string
	for _, m := range runnertest.Masks(stdout) {
		claims := jwt.RegisteredClaims{}
		if _, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation()).ParseWithClaims(m, &claims,
			func(*jwt.Token) (any, error) { return &appKey().key.PublicKey, nil }); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// keySecrets are the private key as given, and each of its lines.
func keySecrets(input string) []string {
	s := []string{strings.TrimSpace(input)}
	for _, l := range strings.Split(config.NormalizeKey(input), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			s = append(s, l)
		}
	}
	return s
}

// checkAppSecrets checks the key as given with CheckSecret, each of its
// lines with runnertest.CheckSecretLine, and the other secrets with CheckSecret.
func checkAppSecrets(t *testing.T, log, keyInput string, others ...string) {
	t.Helper()
	key := keySecrets(keyInput)
	if err := runnertest.CheckSecret(log, key[0]); err != nil {
		t.Errorf("private key: %v", err)
	}
	for i, l := range key[1:] {
		if strings.HasPrefix(l, "-----") {
			continue // the armour lines are no secret, though masked too
		}
		if err := runnertest.CheckSecretLine(log, l); err != nil {
			t.Errorf("key line %d: %v", i+1, err)
		}
	}
	for i, s := range others {
		if err := runnertest.CheckSecret(log, s); err != nil {
			t.Errorf("secret %d: %v", i, err)
		}
	}
}

func TestAppMint(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		inputs    map[string]string
		wantPaths []string
		wantBody  string
		wantURL   string
	}{
		{
			name: "workflow's repository, Client ID",
			wantPaths: []string{
				"GET /api/v3/repos/octo-org/app/installation",
				"POST /api/v3/app/installations/" + installationID + "/access_tokens",
				"POST /api/v3/repos/octo-org/app/actions/runners/registration-token",
				"DELETE /api/v3/installation/token",
			},
			wantBody: `{"repositories":["app"],"permissions":{"administration":"write"}}`,
			wantURL:  "https://ghes.example.com/octo-org/app",
		},
		{
			name:   "organization remove token, App ID",
			inputs: map[string]string{"INPUT_ORGANIZATION": "octo-org", "INPUT_KIND": "remove", "INPUT_APP-ID": strconv.Itoa(ghsim.ExampleAppID)},
			wantPaths: []string{
				"GET /api/v3/orgs/octo-org/installation",
				"POST /api/v3/app/installations/" + installationID + "/access_tokens",
				"POST /api/v3/orgs/octo-org/actions/runners/remove-token",
				"DELETE /api/v3/installation/token",
			},
			wantBody: `{"permissions":{"organization_self_hosted_runners":"write"}}`,
			wantURL:  "https://ghes.example.com/octo-org",
		},
		{
			name:   `key with \n escapes`,
			inputs: map[string]string{"INPUT_REPOSITORY": "octo-org/other", "INPUT_PRIVATE-KEY": strings.ReplaceAll(strings.TrimSpace(appKey().pem), "\n", `\n`)},
			wantPaths: []string{
				"GET /api/v3/repos/octo-org/other/installation",
				"POST /api/v3/app/installations/" + installationID + "/access_tokens",
				"POST /api/v3/repos/octo-org/other/actions/runners/registration-token",
				"DELETE /api/v3/installation/token",
			},
			wantBody: `{"repositories":["other"],"permissions":{"administration":"write"}}`,
			wantURL:  "https://ghes.example.com/octo-org/other",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newAppHarness(t).set(tc.inputs)
			if code := h.run(); code != 0 {
				t.Fatalf("exit code %d, errors: %q", code, h.errors())
			}

			issued, tokens := h.sim.Issued(), h.sim.AppTokens()
			if len(issued) != 1 || len(tokens) != 1 {
				t.Fatalf("simulator issued %d runner and %d installation tokens, want 1 and 1", len(issued), len(tokens))
			}
			out := h.outputs()
			if out["token"] != issued[0].Token {
				t.Error("output token is not the runner token the simulator issued")
			}
			if diff := cmp.Diff(map[string]string{"expires-at": issued[0].ExpiresAt, "runner-url": tc.wantURL, "installation-id": installationID},
				map[string]string{"expires-at": out["expires-at"], "runner-url": out["runner-url"], "installation-id": out["installation-id"]}); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
			if len(out) != 4 {
				t.Errorf("got %d outputs, want token, expires-at, runner-url and installation-id", len(out))
			}

			// At most three requests before the runner token, then the revoke;
			// the last two with the installation token, revoked exactly once.
			reqs := h.sim.Requests()
			var paths []string
			for _, r := range reqs {
				paths = append(paths, r.Method+" "+r.Path)
			}
			if diff := cmp.Diff(tc.wantPaths, paths); diff != "" {
				t.Fatalf("requests (-want +got):\n%s", diff)
			}
			var body, want any
			_ = json.Unmarshal([]byte(tc.wantBody), &want)
			if err := json.Unmarshal(reqs[1].Body, &body); err != nil || !cmp.Equal(want, body) {
				t.Errorf("installation token request body:\n%s", cmp.Diff(want, body))
			}
			for _, r := range reqs[2:] {
				if r.Credential != tokens[0].Credential || r.AuthScheme != "Bearer" {
					t.Errorf("%s %s sent as %q (%s), want the installation token", r.Method, r.Path, r.Credential, r.AuthScheme)
				}
			}
			if !tokens[0].Revoked {
				t.Error("the installation token was not revoked")
			}

			// The JWT both app requests carried: RS256, this app, iat 60 s
			// back, exp 10 minutes after iat.
			auths := h.sim.AppAuths()
			if len(auths) != 2 {
				t.Fatalf("%d requests with a JWT, want 2", len(auths))
			}
			for _, a := range auths {
				backdate := time.Now().Unix() - a.IssuedAt
				if a.Refused != "" || a.App != ghsim.ExampleAppID || a.Alg != "RS256" || a.Typ != "JWT" || a.ExpiresAt-a.IssuedAt != 600 || backdate < 60 || backdate > 75 {
					t.Errorf("JWT as GitHub saw it: %+v (iat %d s ago)", a, backdate)
				}
			}

			log := h.stdout.String()
			others := jwts(t, log)
			others = append(others, tokens[0].Token, issued[0].Token)
			if len(others) != 3 {
				t.Errorf("%d JWTs masked, want 1", len(others)-2)
			}
			checkAppSecrets(t, log, h.env["INPUT_PRIVATE-KEY"], others...)
			secrets := slices.Concat(keySecrets(h.env["INPUT_PRIVATE-KEY"])[1:], others)
			sum := h.file(h.sumFile)
			for _, s := range secrets {
				if len(s) > 8 && strings.Contains(sum, s) {
					t.Error("step summary contains a credential")
				}
			}
			rendered := runnertest.Render(log, false)
			for _, w := range []string{"Authenticating as GitHub App", "Using installation " + installationID + " on octo-org, with a token limited to the", "Revoked the installation token."} {
				if !strings.Contains(rendered, w) {
					t.Errorf("log lacks %q:\n%s", w, rendered)
				}
			}
		})
	}
}

// lockedWriter lets the simulator look at the log while the action writes it.
type lockedWriter struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestAppMaskingOrder checks, at the moment each request arrives, that the
// credential it carries and the private key were already masked.
func TestAppMaskingOrder(t *testing.T) {
	t.Parallel()
	for _, escaped := range []bool{false, true} {
		t.Run("escaped="+strconv.FormatBool(escaped), func(t *testing.T) {
			t.Parallel()
			h := newAppHarness(t)
			if escaped {
				h.set(map[string]string{"INPUT_PRIVATE-KEY": strings.ReplaceAll(strings.TrimSpace(appKey().pem), "\n", `\n`)})
			}
			out := &lockedWriter{buf: &h.stdout}
			type seen struct {
				request                     string
				credentialMasked, keyMasked bool
			}
			var mu sync.Mutex
			var got []seen
			h.sim.Wrap(func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					masks := runnertest.Masks(out.String())
					_, credential, _ := strings.Cut(r.Header.Get("Authorization"), " ")
					keyMasked := true
					for _, s := range keySecrets(h.env["INPUT_PRIVATE-KEY"]) {
						keyMasked = keyMasked && contains(masks, s)
					}
					mu.Lock()
					got = append(got, seen{r.Method + " " + r.URL.Path, contains(masks, credential), keyMasked})
					mu.Unlock()
					next.ServeHTTP(w, r)
				})
			})
			code := Main(context.Background(), Env{Getenv: func(k string) string { return h.env[k] }, Stdout: out, HTTPClient: h.sim.Client()})
			if code != 0 {
				t.Fatalf("exit code %d: %q", code, h.errors())
			}
			if len(got) != 4 {
				t.Fatalf("%d requests, want 4", len(got))
			}
			for _, g := range got {
				if !g.credentialMasked || !g.keyMasked {
					t.Errorf("%s: credential masked before: %v, private key and each line masked before: %v", g.request, g.credentialMasked, g.keyMasked)
				}
			}
			// Nothing but masks comes before the key is masked.
			if lines := runnertest.ParseLog(out.String()); lines[0].Name != "add-mask" || lines[0].Message != strings.TrimSpace(h.env["INPUT_PRIVATE-KEY"]) {
				t.Error("the first line is not the private key's ::add-mask::")
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s && s != "" {
			return true
		}
	}
	return false
}

func TestAppFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		inputs       map[string]string
		setup        func(h *harness)
		wantRequests int
		want         []string
	}{
		{
			name:   "token and app both",
			inputs: map[string]string{"INPUT_TOKEN": adminToken},
			want:   []string{"inputs need fixing", "inputs token and app-id/private-key are both set"},
		},
		{
			name:   "private-key without app-id",
			inputs: map[string]string{"INPUT_APP-ID": ""},
			want:   []string{"input app-id is required with private-key"},
		},
		{
			name:   "a key that is not RSA",
			inputs: map[string]string{"INPUT_PRIVATE-KEY": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBcz9w3ucX5Q\n-----END EC PRIVATE KEY-----\n"},
			want:   []string{"input private-key is not a usable GitHub App private key"},
		},
		{
			name:   "enterprise",
			inputs: map[string]string{"INPUT_ENTERPRISE": "octo-ent"},
			want:   []string{"a GitHub App cannot mint runner tokens for an enterprise", "manage_runners:enterprise"},
		},
		{
			name:         "app not installed on the repository",
			inputs:       map[string]string{"INPUT_REPOSITORY": "octo-org/gone"},
			wantRequests: 1,
			want:         []string{"404 Not Found", "The GitHub App (id " + ghsim.ExampleClientID + ") is not installed on repository octo-org/gone", "install it on octo-org"},
		},
		{
			name:         "key of another app (401)",
			inputs:       map[string]string{"INPUT_PRIVATE-KEY": otherKey().pem},
			wantRequests: 1,
			want:         []string{"401 Unauthorized", `"A JSON web token could not be decoded"`, "the private key does not belong to the GitHub App with id " + ghsim.ExampleClientID},
		},
		{
			name:         "runner clock off",
			setup:        func(h *harness) { h.sim.Now = func() time.Time { return time.Now().Add(20 * time.Minute) } },
			wantRequests: 1,
			want:         []string{"401 Unauthorized", "('exp')", "this runner's clock is off"},
		},
		{
			name:   "installation lacks the organization permission",
			inputs: map[string]string{"INPUT_ORGANIZATION": "octo-org", "INPUT_APP-ID": "Iv23liNoRunners", "INPUT_PRIVATE-KEY": otherKey().pem},
			setup: func(h *harness) {
				h.sim.AddApp(ghsim.App{ID: 78, ClientID: "Iv23liNoRunners", PublicKey: &otherKey().key.PublicKey})
				h.sim.AddAppInstallation(ghsim.AppInstallation{ID: 780, AppID: 78, Account: "octo-org", Permissions: map[string]string{"administration": "write"}})
			},
			wantRequests: 2,
			want:         []string{"422 Unprocessable Entity", `organization permission "Self-hosted runners: write"`, "accept the new permissions"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newAppHarness(t).set(tc.inputs)
			if tc.setup != nil {
				tc.setup(h)
			}
			assertFailed(t, h, tc.wantRequests, tc.want)
			assertAppSecretsSafe(t, h)
			if len(h.sim.AppTokens()) != 0 {
				t.Error("an installation token was issued")
			}
		})
	}
}

// assertAppSecretsSafe checks that the key, each of its lines and every JWT
// were masked before use and never written elsewhere.
func assertAppSecretsSafe(t *testing.T, h *harness) {
	t.Helper()
	log := h.stdout.String()
	others := jwts(t, log)
	for _, tok := range h.sim.AppTokens() {
		others = append(others, tok.Token)
	}
	checkAppSecrets(t, log, h.env["INPUT_PRIVATE-KEY"], others...)
}

func TestAppRevokedWhenMintingFails(t *testing.T) {
	t.Parallel()
	h := newAppHarness(t)
	h.sim.Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/registration-token") {
				respond(502, `{"message":"Server Error"}`)(nil).ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	// Lookup, installation token, five tries at the runner token, revoke.
	assertFailed(t, h, 8, []string{"could not mint a registration token", "502 Bad Gateway", "after 5 attempts"})
	assertAppSecretsSafe(t, h)
	revokes := 0
	for _, r := range h.sim.Requests() {
		if r.Method == http.MethodDelete && r.Path == "/api/v3/installation/token" {
			revokes++
		}
	}
	if tokens := h.sim.AppTokens(); revokes != 1 || len(tokens) != 1 || !tokens[0].Revoked {
		t.Errorf("%d revoke requests, token revoked: %v; want exactly 1", revokes, len(tokens) == 1 && tokens[0].Revoked)
	}
}

func TestAppRevokeFailureIsAWarning(t *testing.T) {
	t.Parallel()
	h := newAppHarness(t)
	h.sim.Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete {
				respond(503, `{"message":"Service Unavailable"}`)(nil).ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	if out := h.outputs(); out["token"] == "" || out["installation-id"] != installationID {
		t.Error("outputs not set")
	}
	var warnings []runnertest.Command
	for _, c := range runnertest.ParseLog(h.stdout.String()) {
		if c.Name == "warning" {
			warnings = append(warnings, c)
		}
	}
	if len(warnings) != 1 || warnings[0].Props["title"] != "Installation token not revoked" ||
		!strings.Contains(warnings[0].Message, "could not revoke the GitHub App's installation token, which stays valid until") ||
		!strings.Contains(warnings[0].Message, "503 Service Unavailable") ||
		!strings.Contains(warnings[0].Message, `limited to the repository permission "Administration: write" on octo-org/app only`) {
		t.Errorf("warnings: %q", warnings)
	}
	if len(h.errors()) != 0 {
		t.Errorf("errors: %q", h.errors())
	}
	assertAppSecretsSafe(t, h)
}

// TestAppRevokedWhenCancelled: a job cancelled while minting still revokes
// the installation token before the action exits.
func TestAppRevokedWhenCancelled(t *testing.T) {
	t.Parallel()
	h := newAppHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.sim.Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/registration-token") {
				cancel() // SIGTERM while the runner token is being minted
				<-r.Context().Done()
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	code := Main(ctx, h.processEnv())
	if code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], "cancelled before a credential was minted") {
		t.Errorf("errors = %q", e)
	}
	if tokens := h.sim.AppTokens(); len(tokens) != 1 || !tokens[0].Revoked {
		t.Error("the installation token was not revoked after cancellation")
	}
}
