package config

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParseLabels: accepted labels are what GitHub accepts and what the
// user meant: 1 to 100, trimmed, non-empty, at most 256 characters, no
// separators or blanks inside, no duplicates ignoring case; a refusal is a
// bounded, printable message.
func FuzzParseLabels(f *testing.F) {
	for _, s := range []string{"self-hosted", "a, b\nc", "a,,b", "A,a", " x ", "\n\n", "a b", strings.Repeat("x,", 101), strings.Repeat("y", 257), "gpu\r\nlinux", "é,ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		labels, err := parseLabels(s)
		if err != nil {
			if msg := err.Error(); len(msg) > 2000 || !utf8.ValidString(msg) || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error message is unbounded, not UTF-8 or multi-line (%d bytes)", len(msg))
			}
			return
		}
		if len(labels) == 0 || len(labels) > MaxLabels {
			t.Fatalf("%d labels accepted", len(labels))
		}
		seen := map[string]bool{}
		for _, l := range labels {
			switch {
			case l == "" || l != strings.TrimSpace(l):
				t.Fatalf("label %q is empty or untrimmed", l)
			case utf8.RuneCountInString(l) > MaxLabelLength:
				t.Fatalf("label of %d characters accepted", utf8.RuneCountInString(l))
			case strings.ContainsAny(l, ",\n\r") || strings.IndexFunc(l, unicode.IsSpace) >= 0 || strings.IndexFunc(l, unicode.IsControl) >= 0:
				t.Fatalf("label %q holds a separator, blank or control character", l)
			case seen[strings.ToLower(l)]:
				t.Fatalf("duplicate label %q", l)
			}
			seen[strings.ToLower(l)] = true
		}
	})
}

// FuzzParseName: an accepted runner name is what GitHub and the runner
// accept.
func FuzzParseName(f *testing.F) {
	for _, s := range []string{"build-1", strings.Repeat("n", 65), "a b", "x\x00", "ü", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := parseName(s)
		if err != nil {
			return
		}
		if name == "" || utf8.RuneCountInString(name) > MaxNameLength || strings.IndexFunc(name, unicode.IsSpace) >= 0 || strings.IndexFunc(name, unicode.IsControl) >= 0 {
			t.Fatalf("name %q accepted", name)
		}
	})
}
