package githubapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// FuzzErrorAnswer: whatever an error answer holds, the error is one
// printable line of bounded length.
func FuzzErrorAnswer(f *testing.F) {
	for _, s := range []string{`{"message":"Bad credentials"}`, `{"message":"x","errors":[{"resource":"Runner","field":"name","code":"already_exists"},{"message":"m"}]}`,
		`<html>`, ``, `{"message":"` + strings.Repeat("long ", 200) + `"}`, `{"message":"a\nb\u0007c\u001b[31m"}`, `{"errors":"not a list"}`, `null`} {
		f.Add(403, s)
		f.Add(422, s)
	}
	base, _ := url.Parse("https://api.example.com/")
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 400 || status > 599 {
			return
		}
		c := NewClient(&http.Client{Transport: ghsim.Canned(status, body)}, base, "tok")
		_, err := Do(context.Background(), c, OpRunnerToken, http.MethodPost, "x", nil, nil)
		if err == nil {
			t.Fatal("an error status succeeded")
		}
		msg := err.Error()
		if len(msg) > 4*untrusted.MaxLen+1000 {
			t.Fatalf("error of %d bytes", len(msg))
		}
		if strings.IndexFunc(msg, unicode.IsControl) >= 0 {
			t.Fatalf("error holds control characters or line breaks: %q", msg)
		}
	})
}
