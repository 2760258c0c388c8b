package untrusted

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

func TestString(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", MaxLen+50)
	words := strings.Repeat("word ", MaxLen) // a cut falls between words
	cases := map[string]string{
		"  plain  ":                       "plain",
		"two\nlines\r\nhere":              "two lines  here",
		"line\u2028sep\u2029para\u0085nl": "line sep para nl",
		"bell\a and esc\x1b[31m":          "bell and esc[31m",
		"c1\u009bcsi and bidi\u202eok":    "c1csi and bidiok",
		"##[stop-commands]x":              "## [stop-commands]x",
		"a ###[error]b ##[warning]":       "a ### [error]b ## [warning]",
		"#\x00#[error]hidden":             "## [error]hidden",
		"::error::injected":               ": :error::injected",
		"  ::add-mask::x":                 ": :add-mask::x",
		long:                              "…", // one word longer than the bound: dropped, never cut
		words:                             strings.TrimSpace(strings.Repeat("word ", MaxLen/5)) + " …",
	}
	for in, want := range cases {
		if got := Of(in).String(); got != want {
			t.Errorf("Of(%.20q).String() = %.40q, want %.40q", in, got, want)
		}
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"https://user:password@example.com/a/b.tar.gz?sig=abc#frag": "https://example.com/a/b.tar.gz",
		"https://example.com/x.zip#[Sign in again](https://evil)":   "https://example.com/x.zip",
		"https://example.com/x\u2028y":                              "https://example.com/x%E2%80%A8y",
		"::not a url\x7f":                                           "(not a URL)",
	}
	for in, want := range cases {
		got := URL(in).String()
		if got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
		if URL(in).Raw() != in {
			t.Errorf("URL(%q).Raw() changed the URL", in)
		}
	}
}

// TestMarkdown: whatever the server sends, a summary cell holds one code
// span: nothing in it is a link, image, emphasis or HTML, and no pipe
// ends the cell early.
func TestMarkdown(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                                      "",
		"build-1":                               "`build-1`",
		"[Sign in again](https://evil.example)": "`[Sign in again](https://evil.example)`",
		"a|b":                                   "`a\\|b`",
		"x`y":                                   "``x`y``",
		"a``b`c":                                "```a``b`c```",
		"`edge":                                 "`` `edge ``",
		"<img src=x onerror=alert(1)>":          "`<img src=x onerror=alert(1)>`",
		"**bold** _em_ ![i](u)":                 "`**bold** _em_ ![i](u)`",
		"two\nlines":                            "`two lines`",
	}
	for in, want := range cases {
		if got := Of(in).Markdown(); got != want {
			t.Errorf("Of(%q).Markdown() = %q, want %q", in, got, want)
		}
	}
}

func TestUnmarshalJSON(t *testing.T) {
	t.Parallel()
	var v struct {
		Name Text `json:"name"`
		Gone Text `json:"gone"`
	}
	if err := json.Unmarshal([]byte(`{"name":"a\u2028##[error]b","gone":null}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.Name.Raw() != "a\u2028##[error]b" || v.Name.String() != "a ## [error]b" || !v.Gone.IsEmpty() {
		t.Errorf("decoded %q (%q), %q", v.Name.Raw(), v.Name, v.Gone.Raw())
	}
	if err := json.Unmarshal([]byte(`{"name":5}`), &v); err == nil {
		t.Error("a number decoded as text")
	}
}

// FuzzString: no rendering of any input can hold a line break, a control
// character, the legacy command syntax, or a leading current one.
func FuzzString(f *testing.F) {
	for _, s := range []string{"##[x]", "#\u200b#[x]", "::x::", "a\u2028b", "\x1b[31m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, got := range []string{Of(s).String(), URL(s).String(), Of(s).Markdown()} {
			if strings.Contains(got, "##[") || strings.HasPrefix(strings.TrimSpace(got), "::") {
				t.Fatalf("%q renders as a command: %q", s, got)
			}
			if strings.IndexFunc(got, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
				t.Fatalf("%q renders with a control or format character: %q", s, got)
			}
			if n := len([]rune(got)); n > MaxLen+10 {
				t.Fatalf("%q renders as %d characters", s, n)
			}
		}
	})
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

// TestEqualFold: names compare as GitHub compares them, ignoring ASCII
// case only.
func TestEqualFold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"stale-vm", "STALE-VM", true},
		{"ſtale-vm", "stale-vm", false}, // U+017F folds to s in Unicode
		{"\u212a-1", "k-1", false},      // KELVIN SIGN folds to k in Unicode
		{"stale-vm2", "stale-vm", false},
	} {
		if got := Of(tc.a).EqualFold(tc.b); got != tc.want {
			t.Errorf("Of(%q).EqualFold(%q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
