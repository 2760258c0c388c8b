package runnertoken

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
)

// FuzzCreate: whatever GitHub answers, Create returns a token with a parseable
// expiry, or one printable error line; never both, never neither.
func FuzzCreate(f *testing.F) {
	for _, s := range []string{`{"token":"AABF3JGZDX3P5PMEXLND6TS6FCWO6","expires_at":"2026-11-25T15:04:05.000-08:00"}`, `{"token":"","expires_at":"x"}`,
		`{"token":123}`, `{"token":"a","expires_at":"2026-13-45T99:00:00Z"}`, `[]`, `{}`, ``, `{"token":"a\nb","expires_at":"2026-11-25T15:04:05Z"}`, `{"message":"Not Found"}`} {
		f.Add(201, s)
		f.Add(404, s)
	}
	base, _ := url.Parse("https://api.example.com/api/v3/")
	repo := target.Target{Scope: target.Repository, Owner: "o", Repo: "r"}
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 200 || status > 599 {
			return
		}
		c := githubapi.NewClient(&http.Client{Transport: ghsim.Canned(status, body)}, base, "tok")
		tok, err := Create(context.Background(), c, repo, config.Registration)
		switch {
		case err == nil && tok == nil, err != nil && tok != nil:
			t.Fatalf("token %v with error %v", tok != nil, err)
		case err == nil:
			if tok.Value == "" {
				t.Fatal("an empty token")
			}
			if _, perr := githubapi.ParseTime(tok.ExpiresAt.Raw()); perr != nil {
				t.Fatalf("expiry %q accepted", tok.ExpiresAt)
			}
		default:
			if strings.IndexFunc(err.Error(), unicode.IsControl) >= 0 {
				t.Fatalf("error holds control characters: %q", err)
			}
		}
	})
}
