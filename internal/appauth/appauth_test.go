package appauth

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/advice"
	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/githubtest"
	"github.com/runnertoken/runner-token-action/internal/target"
)

// testKey and testKeyB (another app's) are generated once per test binary:
// no key file is checked in.
var (
	testKey  = sync.OnceValue(newTestKey)
	testKeyB = sync.OnceValue(newTestKey)
)

func newTestKey() *rsa.PrivateKey {
	k, _, err := ghsim.NewAppKey()
	if err != nil {
		panic(err)
	}
	return k
}

var (
	repo = target.Target{Scope: target.Repository, Owner: "octo-org", Repo: "app"}
	org  = target.Target{Scope: target.Organization, Owner: "octo-org"}
	ent  = target.Target{Scope: target.Enterprise, Owner: "octo-ent"}
)

// fixture is a simulator with the example app, and a Client that records
// what it masks and how many requests the simulator had seen by then.
type fixture struct {
	sim    *ghsim.Server
	client *Client
	mu     sync.Mutex
	masks  []mask
}

type mask struct {
	value        string
	requestsSeen int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sim := ghsim.Start(t)
	sim.AddRepository("octo-org/other")
	sim.AddExampleApp(testKey())
	api, _ := url.Parse(sim.URL())
	f := &fixture{sim: sim}
	f.client = &Client{HTTP: sim.Client(), API: api, Now: time.Now, Mask: func(s string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.masks = append(f.masks, mask{s, len(sim.Requests())})
	}}
	return f
}

func (f *fixture) masked() []mask {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mask(nil), f.masks...)
}

var exampleApp = func() config.App { return config.App{ID: ghsim.ExampleClientID, Key: testKey()} }

func TestInstallationToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		app       config.App
		target    target.Target
		wantPaths []string
		wantBody  string
		wantAdmin []string
	}{
		{
			name: "repository, by Client ID", app: exampleApp(), target: repo,
			wantPaths: []string{"GET /api/v3/repos/octo-org/app/installation", "POST /api/v3/app/installations/7000001/access_tokens"},
			wantBody:  `{"repositories":["app"],"permissions":{"administration":"write"}}`,
			wantAdmin: []string{"octo-org/app"},
		},
		{
			name: "organization, by App ID", app: config.App{ID: strconv.Itoa(ghsim.ExampleAppID), Key: testKey()}, target: org,
			wantPaths: []string{"GET /api/v3/orgs/octo-org/installation", "POST /api/v3/app/installations/7000001/access_tokens"},
			wantBody:  `{"permissions":{"organization_self_hosted_runners":"write"}}`,
			wantAdmin: []string{"octo-org"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			tok, err := f.client.InstallationToken(context.Background(), tc.app, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			issued := f.sim.AppTokens()
			if len(issued) != 1 || issued[0].Token != tok.Value {
				t.Fatal("the token returned is not the one the simulator issued")
			}
			if diff := cmp.Diff(tc.wantAdmin, issued[0].Admin); diff != "" {
				t.Errorf("token narrowed to (-want +got):\n%s", diff)
			}
			if tok.InstallationID != ghsim.ExampleInstallationID || tok.Account.Raw() != "octo-org" || tok.ExpiresAt.IsZero() {
				t.Errorf("token = installation %d on %q expiring %v", tok.InstallationID, tok.Account, tok.ExpiresAt)
			}

			reqs := f.sim.Requests()
			var paths []string
			for _, r := range reqs {
				paths = append(paths, r.Method+" "+r.Path)
			}
			if diff := cmp.Diff(tc.wantPaths, paths); diff != "" {
				t.Fatalf("requests (-want +got):\n%s", diff)
			}
			assertJSON(t, tc.wantBody, reqs[1].Body)

			// Both JWT requests carried one valid JWT for this app.
			auths := f.sim.AppAuths()
			if len(auths) != 2 {
				t.Fatalf("%d JWT requests, want 2", len(auths))
			}
			for _, a := range auths {
				if a.Refused != "" || a.App != ghsim.ExampleAppID || a.Issuer != tc.app.ID || a.Alg != "RS256" || a.ExpiresAt-a.IssuedAt != 600 {
					t.Errorf("JWT as verified: %+v", a)
				}
			}

			// The JWT was masked before the first request, the token
			// before anything but the request that returned it.
			m := f.masked()
			if len(m) != 2 || m[0].requestsSeen != 0 || m[1].value != tok.Value || m[1].requestsSeen != 2 {
				t.Fatalf("masks: %d, seen at %v", len(m), seen(m))
			}
			claims := jwt.RegisteredClaims{}
			if _, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"})).ParseWithClaims(m[0].value, &claims,
				func(*jwt.Token) (any, error) { return &testKey().PublicKey, nil }); err != nil || claims.Issuer != tc.app.ID {
				t.Errorf("the first mask is not the app's JWT (iss differs or signature fails)")
			}
		})
	}
}

func seen(m []mask) []int {
	var s []int
	for _, x := range m {
		s = append(s, x.requestsSeen)
	}
	return s
}

func assertJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestInstallationTokenErrors(t *testing.T) {
	t.Parallel()
	otherKey := testKeyB()
	cases := []struct {
		name         string
		setup        func(f *fixture)
		app          config.App
		target       target.Target
		wantRequests int
		want         []string
	}{
		{
			name: "not installed on the repository", app: exampleApp(),
			target: target.Target{Scope: target.Repository, Owner: "someone", Repo: "else"}, wantRequests: 1,
			want: []string{"404 Not Found", "The GitHub App (id Iv23liSimulatorApp01) is not installed on repository someone/else", "install it on someone", "or check app-id"},
		},
		{
			name: "repository outside the installation's selection", app: config.App{ID: "Iv23liSelective", Key: otherKey}, target: repo, wantRequests: 1,
			setup: func(f *fixture) {
				f.sim.AddApp(ghsim.App{ID: 77, ClientID: "Iv23liSelective", PublicKey: &otherKey.PublicKey})
				f.sim.AddAppInstallation(ghsim.AppInstallation{ID: 770, AppID: 77, Account: "octo-org", Repositories: []string{"other"}, Permissions: map[string]string{"administration": "write"}})
			},
			want: []string{"not installed on repository octo-org/app", "with access to all repositories or to app"},
		},
		{
			name: "not installed on the organization", app: exampleApp(),
			target: target.Target{Scope: target.Organization, Owner: "elsewhere"}, wantRequests: 1,
			want: []string{"404 Not Found", "is not installed on organization elsewhere (or it does not exist): install it there"},
		},
		{
			name: "key of another app (401)", app: config.App{ID: ghsim.ExampleClientID, Key: otherKey}, target: org, wantRequests: 1,
			want: []string{"401 Unauthorized", `"A JSON web token could not be decoded"`, "the private key does not belong to the GitHub App with id Iv23liSimulatorApp01, or app-id is wrong"},
		},
		{
			name: "app id of no app (401)", app: config.App{ID: "31337", Key: testKey()}, target: org, wantRequests: 1,
			want: []string{"401 Unauthorized", "GitHub App with id 31337"},
		},
		{
			name: "runner clock behind GitHub's", app: exampleApp(), target: org, wantRequests: 1,
			setup: func(f *fixture) { f.sim.Now = func() time.Time { return time.Now().Add(15 * time.Minute) } },
			want:  []string{"401 Unauthorized", "('exp')", "this runner's clock is off"},
		},
		{
			name: "runner clock ahead of GitHub's", app: exampleApp(), target: org, wantRequests: 1,
			setup: func(f *fixture) { f.sim.Now = func() time.Time { return time.Now().Add(-3 * time.Minute) } },
			// Ahead by more than the 60 s backdating, exp is also more than
			// 10 minutes ahead of GitHub's clock: either claim is refused.
			want: []string{"401 Unauthorized", "('exp') is too far in the future", "this runner's clock is off"},
		},
		{
			name: "installation lacks the organization permission (422)", app: config.App{ID: "Iv23liNoRunners", Key: otherKey}, target: org, wantRequests: 2,
			setup: func(f *fixture) {
				f.sim.AddApp(ghsim.App{ID: 78, ClientID: "Iv23liNoRunners", PublicKey: &otherKey.PublicKey})
				f.sim.AddAppInstallation(ghsim.AppInstallation{ID: 780, AppID: 78, Account: "octo-org", Permissions: map[string]string{"administration": "write"}})
			},
			want: []string{"installation 780 on octo-org", "422 Unprocessable Entity", `"The permissions requested are not granted to this installation."`,
				`has not been granted the organization permission "Self-hosted runners: write" (organization_self_hosted_runners: write)`, "accept the new permissions"},
		},
		{
			name: "installation lacks the repository permission (422)", app: config.App{ID: "Iv23liNoAdmin", Key: otherKey}, target: repo, wantRequests: 2,
			setup: func(f *fixture) {
				f.sim.AddApp(ghsim.App{ID: 79, ClientID: "Iv23liNoAdmin", PublicKey: &otherKey.PublicKey})
				f.sim.AddAppInstallation(ghsim.AppInstallation{ID: 790, AppID: 79, Account: "octo-org", Permissions: map[string]string{"administration": "read"}})
			},
			want: []string{`repository permission "Administration: write" (administration: write)`},
		},
		{
			name: "rate limited", app: exampleApp(), target: org, wantRequests: 1,
			setup: func(f *fixture) { f.sim.Wrap(answer(429, `{"message":"API rate limit exceeded"}`)) },
			want:  []string{"429 Too Many Requests", "rate limiting"},
		},
		{
			name: "server error on the token request", app: exampleApp(), target: repo, wantRequests: 2,
			setup: func(f *fixture) {
				f.sim.Wrap(func(next http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if strings.HasSuffix(r.URL.Path, "/access_tokens") {
							answer(502, `{"message":"Server Error"}`)(nil).ServeHTTP(w, r)
							return
						}
						next.ServeHTTP(w, r)
					})
				})
			},
			want: []string{"could not get an installation token", "502 Bad Gateway", "githubstatus.com"},
		},
		{
			name: "a web page instead of the API", app: exampleApp(), target: org, wantRequests: 1,
			setup: func(f *fixture) { f.sim.Wrap(answer(404, `<html>Not Found</html>`)) },
			want:  []string{"not the GitHub REST API answering"},
		},
		{
			// config refuses an App for an enterprise before this; here, no
			// request either.
			name: "enterprise", app: exampleApp(), target: ent, wantRequests: 0,
			want: []string{"no GitHub App grant for enterprise octo-ent"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			tok, err := f.client.InstallationToken(context.Background(), tc.app, tc.target)
			if err == nil {
				t.Fatalf("got a token for installation %d, want an error", tok.InstallationID)
			}
			// What the user sees: the error, and the step's advice on it.
			shown := err.Error() + ". " + advice.For(err, advice.Situation{Target: tc.target, App: tc.app.ID})
			for _, w := range tc.want {
				if !strings.Contains(shown, w) {
					t.Errorf("error lacks %q:\n%s", w, shown)
				}
			}
			if got := len(f.sim.Requests()); got != tc.wantRequests {
				t.Errorf("%d requests, want %d", got, tc.wantRequests)
			}
			for _, m := range f.masked() {
				if strings.Contains(err.Error(), m.value) {
					t.Error("the error holds a masked credential")
				}
			}
			if len(f.sim.AppTokens()) != 0 {
				t.Error("an installation token was issued")
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	tok, err := f.client.InstallationToken(ctx, exampleApp(), org)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.client.Revoke(ctx, tok); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	issued := f.sim.AppTokens()
	reqs := f.sim.Requests()
	last := reqs[len(reqs)-1]
	if !issued[0].Revoked || last.Method != http.MethodDelete || last.Path != "/api/v3/installation/token" || last.Credential != issued[0].Credential {
		t.Errorf("revoke request %s %s as %q; revoked: %v", last.Method, last.Path, last.Credential, issued[0].Revoked)
	}
	err = f.client.Revoke(ctx, tok)
	if err == nil || !strings.Contains(err.Error(), "could not revoke the GitHub App's installation token, which stays valid until 20") || !strings.Contains(err.Error(), "401 Unauthorized") {
		t.Errorf("second Revoke: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), tok.Value) {
		t.Error("the error holds the token")
	}
}

func TestCancelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.client.InstallationToken(ctx, exampleApp(), repo)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not wrap context.Canceled", err)
	}
}

// answer makes the simulator answer every request with status and body.
func answer(status int, body string) func(http.Handler) http.Handler {
	return func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		})
	}
}

// TestTokenWithAnOddExpiry: an answer whose expires_at no parser reads
// still hands the token back, masked, to be used and revoked; a lower-case
// RFC 3339 one is read.
func TestTokenWithAnOddExpiry(t *testing.T) {
	t.Parallel()
	for expiry, want := range map[string]time.Time{
		"2026-11-25t15:04:05z": time.Date(2026, 11, 25, 15, 4, 5, 0, time.UTC),
		"25 Nov 2026 15:04":    {},
		"":                     {},
	} {
		t.Run(expiry, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			// The installation lookup as usual; the token's answer tampered.
			f.sim.Inject(nil, f.sim.Tamper(func(a map[string]any) { a["expires_at"] = expiry }))
			tok, err := f.client.InstallationToken(context.Background(), exampleApp(), org)
			if err != nil {
				t.Fatal(err)
			}
			if !tok.ExpiresAt.Equal(want) {
				t.Errorf("ExpiresAt = %s, want %s", tok.ExpiresAt, want)
			}
			if m := f.masked(); len(m) != 2 || m[1].value != tok.Value {
				t.Error("the token was not masked")
			}
			if err := f.client.Revoke(context.Background(), tok); err != nil {
				t.Fatal(err)
			}
			if issued := f.sim.AppTokens(); len(issued) != 1 || !issued[0].Revoked {
				t.Errorf("tokens = %+v, want the one issued revoked", issued)
			}
		})
	}
}

// TestTokenMayHaveBeenIssued: a 5xx on the token request may come after
// GitHub issued one, which this run never saw and so cannot revoke: the
// error says so.
func TestTokenMayHaveBeenIssued(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sim.Inject(nil, f.sim.Status(502, "Server Error"))
	_, err := f.client.InstallationToken(context.Background(), exampleApp(), org)
	if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") || !strings.Contains(err.Error(), "GitHub may have issued a token all the same") {
		t.Errorf("error = %v", err)
	}
}

// TestRevokeCall: the revocation is one DELETE made with the token itself,
// in go-github's style.
func TestRevokeCall(t *testing.T) {
	t.Parallel()
	for status, wantErr := range map[int]bool{http.StatusNoContent: false, http.StatusUnauthorized: true} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			hc, base, mux := githubtest.Server(t)
			const tok = "ghs_revokeRevokeRevokeRevokeRevoke0001"
			mux.HandleFunc("/installation/token", func(w http.ResponseWriter, r *http.Request) {
				githubtest.TestMethod(t, r, http.MethodDelete)
				githubtest.TestAuth(t, r, tok)
				w.WriteHeader(status)
				if status != http.StatusNoContent {
					fmt.Fprint(w, `{"message":"Bad credentials"}`)
				}
			})
			c := &Client{HTTP: hc, API: base, Mask: func(string) {}}
			err := c.Revoke(context.Background(), &Token{Value: tok})
			var e *githubapi.Error
			switch {
			case !wantErr && err != nil:
				t.Errorf("Revoke: %v", err)
			case wantErr && (!errors.As(err, &e) || e.Op != githubapi.OpRevokeToken || e.StatusCode != http.StatusUnauthorized):
				t.Errorf("Revoke: %#v, want a 401 from the revocation", err)
			}
		})
	}
}
