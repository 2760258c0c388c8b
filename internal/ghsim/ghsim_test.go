package ghsim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func newSim(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s, err := New("/api/v3", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddRepository("Octo-Org/App")
	s.AddOrganization("octo-org")
	s.AddEnterprise("octo-ent")
	s.AddCredential("admin", "tok-admin", Credential{Type: ClassicPAT, Admin: []string{"octo-org/app", "octo-org", "enterprises/octo-ent"}})
	s.AddCredential("fine", "tok-fine", Credential{Type: FineGrainedPAT})
	s.AddCredential("install", "tok-install", Credential{Type: Installation})
	return s
}

type answer struct {
	Status  int
	Message string
	Status2 string // the body's "status" field
	HasTok  bool
}

// roundTrip makes one request to s as auth ("" for none) and reads the
// answer; the helpers below decode it as their tests need.
func roundTrip(t *testing.T, s *Server, method, path, auth, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func call(t *testing.T, s *Server, method, path, auth string) (answer, http.Header) {
	t.Helper()
	status, h, b := roundTrip(t, s, method, path, auth, "")
	var body map[string]string
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
	}
	return answer{status, body["message"], body["status"], body["token"] != ""}, h
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	cases := []struct {
		method, path, auth string
		want               answer
	}{
		{"POST", "/repos/octo-org/app/actions/runners/registration-token", "Bearer tok-admin", answer{201, "", "", true}},
		{"POST", "/repos/octo-org/app/actions/runners/remove-token", "token tok-admin", answer{201, "", "", true}},
		{"POST", "/orgs/octo-org/actions/runners/registration-token", "Bearer tok-admin", answer{201, "", "", true}},
		{"POST", "/orgs/octo-org/actions/runners/remove-token", "Bearer tok-admin", answer{201, "", "", true}},
		{"POST", "/enterprises/octo-ent/actions/runners/registration-token", "Bearer tok-admin", answer{201, "", "", true}},
		{"POST", "/enterprises/octo-ent/actions/runners/remove-token", "Bearer tok-admin", answer{201, "", "", true}},
		{"POST", "/repos/octo-org/app/actions/runners/registration-token", "", answer{401, "Bad credentials", "401", false}},
		{"POST", "/repos/octo-org/app/actions/runners/registration-token", "Bearer nope", answer{401, "Bad credentials", "401", false}},
		{"POST", "/repos/octo-org/app/actions/runners/registration-token", "Basic tok-admin", answer{401, "Bad credentials", "401", false}},
		{"POST", "/repos/octo-org/app/actions/runners/registration-token", "Bearer tok-fine", answer{403, "Resource not accessible by personal access token", "403", false}},
		{"POST", "/orgs/octo-org/actions/runners/registration-token", "Bearer tok-install", answer{403, "Resource not accessible by integration", "403", false}},
		{"POST", "/repos/octo-org/nope/actions/runners/registration-token", "Bearer tok-admin", answer{404, "Not Found", "404", false}},
		{"POST", "/orgs/nobody/actions/runners/remove-token", "Bearer tok-admin", answer{404, "Not Found", "404", false}},
		{"GET", "/repos/octo-org/app/actions/runners/registration-token", "Bearer tok-admin", answer{404, "Not Found", "404", false}},
		{"POST", "/repos/octo-org/app/actions/runners/other-token", "Bearer tok-admin", answer{404, "Not Found", "404", false}},
	}
	for _, tc := range cases {
		got, h := call(t, s, tc.method, tc.path, tc.auth)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s %s as %q (-want +got):\n%s", tc.method, tc.path, tc.auth, diff)
		}
		for _, k := range []string{"X-GitHub-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
			if h.Get(k) == "" {
				t.Errorf("%s %s: no %s header", tc.method, tc.path, k)
			}
		}
		if ct := h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
	}
}

func TestNotMountedAtRoot(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	req, _ := http.NewRequest(http.MethodPost, strings.TrimSuffix(s.URL(), "/api/v3")+"/repos/octo-org/app/actions/runners/registration-token", nil)
	req.Header.Set("Authorization", "Bearer tok-admin")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("without the base path: status %d, want 404", resp.StatusCode)
	}
}

func TestIssuedAndRecorded(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	s.Now = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	call(t, s, "POST", "/orgs/octo-org/actions/runners/remove-token", "Bearer tok-admin")
	iss := s.Issued()
	if len(iss) != 1 {
		t.Fatalf("issued %d", len(iss))
	}
	if iss[0].ExpiresAt != "2026-11-25T13:00:00.000+00:00" || iss[0].Kind != "remove" || iss[0].Target != "orgs/octo-org" || len(iss[0].Token) != 29 {
		t.Errorf("issued = %+v", iss[0])
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Credential != "admin" || reqs[0].AuthScheme != "Bearer" || reqs[0].Header.Get("Authorization") != "" {
		t.Errorf("recorded = %+v, want the credential's name and no Authorization header", reqs)
	}
}

func TestTrustsOnlyItsCA(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	_, err := http.Post(s.URL()+"/orgs/octo-org/actions/runners/remove-token", "", nil)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("default client error = %v, want a certificate error", err)
	}
}

func TestListenAddrAndExtraHosts(t *testing.T) {
	t.Parallel()
	s, err := New("/api/v3", WithListenAddr("127.0.0.1:0"), WithHosts("10.9.8.7", "sim.example"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	var got []Issued
	s.OnIssue(func(i Issued) { got = append(got, i) })
	s.AddExampleTargets()
	s.AddCredential("admin", "tok-admin", Credential{Admin: []string{"octo-org"}})

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CACertPEM())
	for _, name := range []string{"sim.example", "10.9.8.7", "localhost"} {
		conn, err := tls.Dial("tcp", s.Addr(), &tls.Config{RootCAs: pool, ServerName: name})
		if err != nil {
			t.Errorf("TLS as %s: %v", name, err)
			continue
		}
		conn.Close()
	}
	if _, err := tls.Dial("tcp", s.Addr(), &tls.Config{RootCAs: pool, ServerName: "other.example"}); err == nil {
		t.Error("certificate is valid for a host it was not given")
	}
	call(t, s, "POST", "/orgs/octo-org/actions/runners/registration-token", "Bearer tok-admin")
	if len(got) != 1 || got[0].Target != "orgs/octo-org" {
		t.Errorf("OnIssue saw %d issues", len(got))
	}
}

// TestAnswerFaults: the faults that answer in GitHub's shape, and those that
// change what the real handler answered (the request still did its work).
func TestAnswerFaults(t *testing.T) {
	t.Parallel()
	const mint = "/repos/octo-org/app/actions/runners/registration-token"
	reset := time.Now().Add(time.Hour).Truncate(time.Second)
	t.Run("Answer", func(t *testing.T) {
		t.Parallel()
		s := newSim(t)
		s.Inject(s.Answer(201, "<html>"))
		if status, h, b := roundTrip(t, s, "POST", mint, "Bearer tok-admin", ""); status != 201 || string(b) != "<html>" || h.Get("X-GitHub-Request-Id") == "" {
			t.Errorf("%d %q, headers %v", status, b, h)
		}
	})
	t.Run("ValidationFailed", func(t *testing.T) {
		t.Parallel()
		s := newSim(t)
		s.Inject(s.ValidationFailed(3000))
		status, _, b := roundTrip(t, s, "POST", mint, "Bearer tok-admin", "")
		var body struct {
			Message string           `json:"message"`
			Errors  []map[string]any `json:"errors"`
		}
		if err := json.Unmarshal(b, &body); err != nil || status != 422 || body.Message != "Validation Failed" || len(body.Errors) != 3000 {
			t.Errorf("%d %q with %d errors (%v)", status, body.Message, len(body.Errors), err)
		}
	})
	t.Run("Tamper", func(t *testing.T) {
		t.Parallel()
		s := newSim(t)
		s.Inject(s.Tamper(func(a map[string]any) { a["expires_at"] = 42 }))
		status, _, b := roundTrip(t, s, "POST", mint, "Bearer tok-admin", "")
		var body map[string]any
		if err := json.Unmarshal(b, &body); err != nil || status != 201 || body["expires_at"] != float64(42) || body["token"] != s.Issued()[0].Token {
			t.Errorf("%d %v (%v): want the real answer, tampered", status, len(body), err)
		}
	})
	t.Run("ExhaustRateLimit", func(t *testing.T) {
		t.Parallel()
		s := newSim(t)
		s.Inject(s.ExhaustRateLimit(reset))
		status, h, _ := roundTrip(t, s, "POST", mint, "Bearer tok-admin", "")
		if status != 201 || h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Reset") != fmt.Sprint(reset.Unix()) || len(s.Issued()) != 1 {
			t.Errorf("%d, remaining %q, reset %q", status, h.Get("X-RateLimit-Remaining"), h.Get("X-RateLimit-Reset"))
		}
	})
	t.Run("EveryOther", func(t *testing.T) {
		t.Parallel()
		s := newSim(t)
		s.EveryOther(s.SecondaryRateLimit("1"))
		var got []int
		for range 4 {
			status, _, _ := roundTrip(t, s, "POST", mint, "Bearer tok-admin", "")
			got = append(got, status)
		}
		if fmt.Sprint(got) != "[403 201 403 201]" {
			t.Errorf("statuses %v", got)
		}
	})
}

// TestCloseEndsWaitingFaults: Close does not wait for a client to give up
// on a fault that never answers (cmd/ghsim stops on SIGTERM with one).
func TestCloseEndsWaitingFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(s *Server)
		path  string
		body  string
	}{
		{"hang", func(s *Server) { s.Inject(Hang()) }, "/orgs/octo-org/actions/runners/registration-token", ""},
		{"stall", func(s *Server) { s.Inject(StallBody()) }, "/orgs/octo-org/actions/runners/registration-token", ""},
		{"JIT hang after create", func(s *Server) { s.FailJIT(HangAfterCreate) }, "/orgs/octo-org/actions/runners/generate-jitconfig", goodJIT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := New("/api/v3")
			if err != nil {
				t.Fatal(err)
			}
			s.AddOrganization("octo-org")
			s.AddCredential("admin", "tok-admin", Credential{Admin: []string{"octo-org"}})
			c.setup(s)
			// The client waits much longer than any test runs: only Close
			// can end the request.
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			done := make(chan error, 1)
			go func() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+c.path, strings.NewReader(c.body))
				req.Header.Set("Authorization", "Bearer tok-admin")
				resp, err := s.Client().Do(req)
				if err == nil {
					_, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				done <- err
			}()
			// Close once the request is in.
			for len(s.Requests()) == 0 {
				select {
				case err := <-done:
					t.Fatalf("the request ended before the server closed: %v", err)
				case <-time.After(5 * time.Millisecond):
				}
			}
			s.Close()
			if err := <-done; err == nil {
				t.Error("the request succeeded")
			}
		})
	}
}
