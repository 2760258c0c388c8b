// Package untrusted holds text a server sent. Every string decoded from a
// server (body fields, headers, error messages, URLs) is a Text from the
// moment it is decoded, and a Text has only safe renderings: String for a
// log line, an annotation, an error or an output value, and Markdown for a
// step summary cell. Raw is for comparing and validating it, never for
// showing it. The runner's command syntax is summed up in
// ../shared/notes/runner-log-commands.md.
package untrusted

import (
	"encoding/json"
	"net/url"
	"strings"
	"unicode"
)

// MaxLen bounds a rendering: a hostile or broken server must not be able to
// flood the log.
const MaxLen = 300

// Text is a string from a server. The zero Text is empty.
type Text struct {
	s string
	// url: render as a URL, without userinfo, query or fragment.
	url bool
}

// Of holds s, a string from a server.
func Of(s string) Text { return Text{s: s} }

// URL holds s, a URL from a server: it renders without its userinfo, query
// or fragment, which may carry credentials or markup.
func URL(s string) Text { return Text{s: s, url: true} }

// UnmarshalJSON decodes a JSON string (null is empty) straight into a Text.
func (t *Text) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &t.s) }

// Raw is the text exactly as the server sent it: for comparing and
// validating, and for handing on a value that was validated first.
func (t Text) Raw() string { return t.s }

// Equal says whether t and u hold the same text (for go-cmp, which cannot
// see inside a Text).
func (t Text) Equal(u Text) bool { return t.s == u.s }

// EqualFold says whether t is s ignoring ASCII case only, as GitHub
// compares names and labels: with Unicode folding, "ſtale-vm" would match
// "stale-vm".
func (t Text) EqualFold(s string) bool {
	if len(t.s) != len(s) {
		return false
	}
	for i := range len(s) {
		if lower(t.s[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// IsEmpty says whether the server sent nothing, or only blanks.
func (t Text) IsEmpty() bool { return strings.TrimSpace(t.s) == "" }

// String renders t for a log line, an annotation, an error message or an
// output value: one line, printable, bounded, and unable to act as a
// workflow command in either syntax.
func (t Text) String() string {
	s := t.s
	if t.url {
		s = shownURL(s)
	}
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			return ' '
		case !unicode.IsPrint(r): // other C0 and C1 controls (ESC of ANSI too), format characters
			return -1
		}
		return r
	}, s))
	// The legacy syntax is obeyed anywhere in a line, the current one at
	// its start: break both, visibly.
	s = strings.ReplaceAll(s, "##[", "## [")
	if strings.HasPrefix(s, "::") {
		s = ": " + s[1:]
	}
	return Clip(s, MaxLen)
}

// Markdown renders t for a cell of a step summary table: a code span, so
// that no link, image, emphasis, autolink or HTML in it is live, with the
// table's cell separator escaped.
func (t Text) Markdown() string {
	s := t.String()
	if s == "" {
		return ""
	}
	// Longer than any run of backticks in s, so that none can close it.
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return strings.ReplaceAll(fence+s+fence, "|", `\|`)
}

// shownURL is s without userinfo, query or fragment; something that does
// not parse as a URL is shown only as that.
func shownURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "(not a URL)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

// Clip bounds s to n characters without ever cutting a word: a credential
// a hostile server echoes has no spaces, and a cut one would no longer
// match its mask, so a prefix of it would show. A word that does not fit
// is dropped whole.
func Clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	kept := string(r[:n])
	if !unicode.IsSpace(r[n]) {
		i := strings.LastIndexFunc(kept, unicode.IsSpace)
		if i < 0 {
			return "…"
		}
		kept = kept[:i]
	}
	return strings.TrimRightFunc(kept, unicode.IsSpace) + " …"
}
