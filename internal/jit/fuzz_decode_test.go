package jit

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
)

// routes answers generate-jitconfig with the fuzzed answer, lists no
// runners, and accepts deletes.
type routes struct {
	status int
	body   string
}

func (r routes) RoundTrip(req *http.Request) (*http.Response, error) {
	status, body := r.status, r.body
	switch req.Method {
	case http.MethodGet:
		status, body = http.StatusOK, `{"total_count":0,"runners":[]}`
	case http.MethodDelete:
		status, body = http.StatusNoContent, ``
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req, ContentLength: int64(len(body))}, nil
}

// FuzzJITAnswer: whatever generate-jitconfig answers, Register returns a usable
// config (non-empty, with a runner id) or one printable error; never both.
func FuzzJITAnswer(f *testing.F) {
	for _, s := range []string{`{"runner":{"id":23,"name":"r","os":"linux","status":"offline","busy":false,"labels":[{"id":1,"name":"self-hosted","type":"read-only"}]},"encoded_jit_config":"eyJh"}`,
		`{"runner":{"id":0},"encoded_jit_config":"x"}`, `{"runner":null,"encoded_jit_config":"x"}`, `{"runner":{"id":5},"encoded_jit_config":""}`,
		`{"message":"Validation Failed","errors":[{"message":"bad label"}]}`, `[]`, ``, `{"runner":{"id":-1,"labels":"x"}}`} {
		f.Add(201, s)
		f.Add(422, s)
	}
	base, _ := url.Parse("https://api.example.com/")
	repo := target.Target{Scope: target.Repository, Owner: "o", Repo: "r"}
	req := config.JITRequest{Name: "build-1", Generated: true, Labels: []string{"self-hosted"}, WorkFolder: "_work"}
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 200 || status > 499 { // 5xx: retried, covered elsewhere
			return
		}
		m := &Registrar{Client: githubapi.NewClient(&http.Client{Transport: routes{status, body}}, base, "tok"), Log: func(string, ...any) {}}
		cfg, err := m.Register(context.Background(), context.Background(), repo, req)
		switch {
		case (err == nil) == (cfg == nil):
			t.Fatalf("config %v with error %v", cfg != nil, err)
		case err == nil:
			if cfg.Encoded == "" || cfg.Runner.ID <= 0 {
				t.Fatalf("accepted a config without content or runner id")
			}
		default:
			if strings.IndexFunc(err.Error(), unicode.IsControl) >= 0 {
				t.Fatalf("error holds control characters: %q", err)
			}
		}
	})
}
