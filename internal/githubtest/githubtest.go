// Package githubtest is go-github's own way of testing one call, for this
// project's packages: an HTTPS test server whose mux is mounted under
// /api/v3, as on GHES, and a client of it through the action's retry
// policy on a fake clock, with testMethod-style helpers. End-to-end tests
// use the simulator (ghsim) instead. The shipped binary never imports it.
package githubtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/fakeclock"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/retry"
)

// BasePath is where the API is mounted, so that a client that drops it, or
// adds its own, meets a 404 instead of a handler.
const BasePath = "/api/v3"

// Token is the credential the client sends.
const Token = "ghp_githubtestGithubtestGithubtestGit01"

// Setup starts a server and returns a client of it, with Token, and the mux
// to handle paths below BasePath on (e.g. "/orgs/o/actions/runners").
func Setup(t testing.TB) (*github.Client, *http.ServeMux) {
	t.Helper()
	hc, base, mux := Server(t)
	clk := fakeclock.New(time.Now())
	return githubapi.NewClient(hc, base, Token, githubapi.WithPolicy(retry.Policy{
		AttemptTimeout: 5 * time.Second,
		Now:            clk.Now, Sleep: clk.Sleep,
		Jitter: func() float64 { return 0 },
	})), mux
}

// Server starts a server and returns an HTTP client that trusts it, the
// API's base URL and the mux to handle paths below BasePath on. A request
// outside BasePath fails the test.
func Server(t testing.TB) (*http.Client, *url.URL, *http.ServeMux) {
	t.Helper()
	mux := http.NewServeMux()
	root := http.NewServeMux()
	root.Handle(BasePath+"/", http.StripPrefix(BasePath, mux))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside %s: %s %s", BasePath, r.Method, r.URL.Path)
		http.Error(w, "outside the API", http.StatusBadRequest)
	})
	srv := httptest.NewTLSServer(root)
	t.Cleanup(srv.Close)
	base, err := url.Parse(srv.URL + BasePath)
	if err != nil {
		t.Fatal(err)
	}
	return srv.Client(), base, mux
}

// TestMethod checks r's method.
func TestMethod(t testing.TB, r *http.Request, want string) {
	t.Helper()
	if got := r.Method; got != want {
		t.Errorf("request method: %v, want %v", got, want)
	}
}

// TestAuth checks that r carries token as a bearer credential. It never
// prints either.
func TestAuth(t testing.TB, r *http.Request, token string) {
	t.Helper()
	if r.Header.Get("Authorization") != "Bearer "+token {
		t.Errorf("%s %s: not the expected bearer credential", r.Method, r.URL.Path)
	}
}

// TestBody checks that r's body is the JSON want.
func TestBody(t testing.TB, r *http.Request, want string) {
	t.Helper()
	var got, w any
	if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
		t.Fatalf("request body: %v", err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want: %v", err)
	}
	if diff := cmp.Diff(w, got); diff != "" {
		t.Errorf("request body (-want +got):\n%s", diff)
	}
}

// TestQuery checks r's query parameters.
func TestQuery(t testing.TB, r *http.Request, want url.Values) {
	t.Helper()
	if diff := cmp.Diff(want, r.URL.Query()); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
}
