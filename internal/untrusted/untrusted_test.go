package untrusted

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", MaxLen+50)
	words := strings.Repeat("word ", MaxLen) // a cut falls between words
	cases := map[string]string{
		"  plain  ":              "plain",
		"two\nlines\r\nhere":     "two lines  here",
		"bell\a and esc\x1b[31m": "bell and esc[31m",
		long:                     "…", // one word longer than the bound: dropped, never cut
		words:                    strings.TrimSpace(strings.Repeat("word ", MaxLen/5)) + " …",
	}
	for in, want := range cases {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%.20q) = %.40q, want %.40q", in, got, want)
		}
	}
}

// TestClipNeverCutsASecret: a credential echoed into a long message is
// either whole (and so masked) or absent, never a prefix.
func TestClipNeverCutsASecret(t *testing.T) {
	t.Parallel()
	secret := "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJJdjIzIn0.c2lnbmF0dXJlc2lnbmF0dXJl"
	for pad := 0; pad < 120; pad++ {
		msg := strings.Repeat("x ", pad) + "credential " + secret + " is not allowed here"
		got := Clip(msg, 100)
		if len([]rune(got)) > 102 {
			t.Fatalf("pad %d: %d characters, want at most 100 and an ellipsis", pad, len([]rune(got)))
		}
		for n := 8; n < len(secret); n++ {
			if strings.Contains(got, secret[:n]) && !strings.Contains(got, secret) {
				t.Fatalf("pad %d: a %d-character prefix of the secret survives the cut", pad, n)
			}
		}
	}
}
