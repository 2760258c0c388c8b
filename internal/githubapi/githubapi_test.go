package githubapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/retry"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

const token = "ghp_testTokenTestTokenTestTokenTest0001"

func sim(t *testing.T, base string) *ghsim.Server {
	t.Helper()
	s, err := ghsim.New(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddOrganization("octo-org")
	s.AddCredential("admin", token, ghsim.Credential{Admin: []string{"octo-org"}})
	return s
}

// testMethod-style helper: the one request the server got.
func onlyRequest(t *testing.T, s *ghsim.Server) ghsim.Request {
	t.Helper()
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests, want 1", len(reqs))
	}
	return reqs[0]
}

func TestBaseURLUsedExactly(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, mount, suffix, wantPath string
	}{
		{"api.github.com style root", "", "", "/orgs/octo-org/actions/runners/remove-token"},
		{"GHES /api/v3", "/api/v3", "", "/api/v3/orgs/octo-org/actions/runners/remove-token"},
		{"GHES /api/v3 with slash", "/api/v3", "/", "/api/v3/orgs/octo-org/actions/runners/remove-token"},
		{"proxy prefix, never given /api/v3", "/gh-proxy/rest", "", "/gh-proxy/rest/orgs/octo-org/actions/runners/remove-token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := sim(t, tc.mount)
			base, err := url.Parse(s.URL() + tc.suffix)
			if err != nil {
				t.Fatal(err)
			}
			c := NewClient(s.Client(), base, token)
			var v map[string]string
			if _, err := Do(context.Background(), c, OpRunnerToken, "POST", "orgs/octo-org/actions/runners/remove-token", nil, &v); err != nil {
				t.Fatalf("Do: %v", err)
			}
			r := onlyRequest(t, s)
			if diff := cmp.Diff([]string{"POST", tc.wantPath, "admin", "Bearer", userAgent},
				[]string{r.Method, r.Path, r.Credential, r.AuthScheme, r.Header.Get("User-Agent")}); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
			if base.String() != s.URL()+tc.suffix {
				t.Errorf("NewClient changed the caller's URL to %s", base)
			}
		})
	}
}

func TestErrorFromGitHub(t *testing.T) {
	t.Parallel()
	s := sim(t, "/api/v3")
	s.Wrap(func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-GitHub-Request-Id", "0A0B:1C1D:2E2F")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`{"message":"Validation Failed","errors":[{"resource":"Runner","field":"name","code":"already_exists"},{"message":"labels\tbad\u0007\n"}],"documentation_url":"https://docs.github.com/rest"}`))
		})
	})
	base, _ := url.Parse(s.URL())
	_, err := Do(context.Background(), NewClient(s.Client(), base, token), OpRunnerToken, "POST", "x", nil, nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	want := &Error{Op: OpRunnerToken, StatusCode: 422, Message: untrusted.Of("Validation Failed"),
		Details: []untrusted.Text{untrusted.Of("Runner name: already_exists"), untrusted.Of("labels\tbad\u0007\n")}, RequestID: untrusted.Of("0A0B:1C1D:2E2F"),
		Tries: retry.Tries{Method: "POST", Path: "/api/v3/x", Attempts: 1}}
	if diff := cmp.Diff(want, e, cmp.Comparer(func(a, b untrusted.Text) bool { return a.Raw() == b.Raw() })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := e.Error(); got != `GitHub answered 422 Unprocessable Entity: "Validation Failed" (Runner name: already_exists; labels bad) [request ID 0A0B:1C1D:2E2F]` {
		t.Errorf("Error() = %s", got)
	}
}
