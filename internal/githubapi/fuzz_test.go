package githubapi

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// answer is an http.RoundTripper that answers every request with one
// status and body, so fuzzers can feed the decoding path directly.
type answer struct {
	status int
	body   string
	header http.Header
}

func (a answer) RoundTrip(r *http.Request) (*http.Response, error) {
	h := a.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(strings.NewReader(a.body)), Request: r, ContentLength: int64(len(a.body))}, nil
}

// fakeClient is a client whose every answer is status and body.
func fakeClient(status int, body string) *http.Client {
	return &http.Client{Transport: answer{status: status, body: body, header: http.Header{"Content-Type": {"application/json"}}}}
}

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
		c := NewClient(fakeClient(status, body), base, "tok")
		_, err := Do(context.Background(), c, http.MethodPost, "x", nil, nil)
		if err == nil {
			t.Fatal("an error status succeeded")
		}
		msg := err.Error()
		if len(msg) > 4*maxMessage+1000 {
			t.Fatalf("error of %d bytes", len(msg))
		}
		if strings.IndexFunc(msg, unicode.IsControl) >= 0 {
			t.Fatalf("error holds control characters or line breaks: %q", msg)
		}
	})
}
