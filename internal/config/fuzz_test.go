package config

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzAPIURL: an accepted api-url is absolute, https (or http on
// loopback), holds no credentials, query or fragment, and is kept exactly;
// a refused one never quotes a password it contained.
func FuzzAPIURL(f *testing.F) {
	for _, s := range []string{"https://api.github.com", "https://ghes.example.com/api/v3/", "http://127.0.0.1:8080", "http://[::1]/x",
		"https://u:p4ssw0rd@h/api", "ftp://h", "api.github.com", "https://h/?q", "https://h#f", "http://localhost.evil.com", "https://%zz", "HTTPS://H"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := parseAPIURL(s)
		if err != nil {
			if pu, perr := url.Parse(s); perr == nil && pu.User != nil {
				if pw, ok := pu.User.Password(); ok && len(pw) >= 4 && strings.Contains(err.Error(), pw) {
					t.Fatalf("the error quotes the password")
				}
			}
			if !utf8.ValidString(err.Error()) && utf8.ValidString(s) {
				t.Fatalf("the error is not UTF-8")
			}
			return
		}
		switch {
		case u.User != nil:
			t.Fatal("accepted credentials in the URL")
		case u.Host == "" || u.Opaque != "":
			t.Fatal("accepted a URL without a host")
		case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
			t.Fatal("accepted a query or fragment")
		case u.Scheme == "http":
			if h := u.Hostname(); !strings.EqualFold(h, "localhost") {
				if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
					t.Fatalf("accepted plain http to %q", h)
				}
			}
		case u.Scheme != "https":
			t.Fatalf("accepted scheme %q", u.Scheme)
		}
	})
}

// FuzzTimeout: an accepted timeout is within bounds.
func FuzzTimeout(f *testing.F) {
	for _, s := range []string{"2m", "120", "5s", "1h", "0", "-5s", "9223372036854775807", "1e3s", "1h1ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseTimeout(s)
		if err == nil && (d < minTimeout || d > MaxTimeout) {
			t.Fatalf("accepted %s", d)
		}
	})
}
