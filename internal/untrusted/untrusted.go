// Package untrusted makes text from a server safe to show: every string
// GitHub (or whatever answers in its place) sends is data, and reaches the
// log, an annotation or the summary only through Clean, on the action's own
// line, bounded.
package untrusted

import (
	"strings"
	"unicode"
)

// MaxLen bounds what of GitHub's text reaches the log: a hostile or
// broken server must not be able to flood it.
const MaxLen = 300

// Clean makes server-supplied text safe to show: one line, printable, short.
// Every string from a server that reaches the log goes through it, so that
// none can start a line of its own, and with it a workflow command.
func Clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s)
	return Clip(strings.TrimSpace(s), MaxLen)
}

// Clip bounds server-supplied text to n characters without ever cutting a
// word: a credential a hostile server echoes has no spaces, and a cut one
// would no longer match its mask, so a prefix of it would show. A word that
// does not fit is dropped whole.
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
