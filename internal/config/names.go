package config

// The names of the inputs a step passes. The runner hands a container
// action every with: key as INPUT_NAME, declared or not, and only warns of
// the others; one the action never reads must not pass unnoticed, since a
// misspelled target (organisation) would mint for the workflow's own
// repository instead.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// InputNames are the inputs the action reads, as action.yml declares them
// (a test keeps the two equal), sorted: Inputs' INPUT_ fields.
func InputNames() []string {
	var names []string
	for _, i := range new(Inputs).inputs() {
		names = append(names, i.name)
	}
	slices.Sort(names)
	return names
}

// maxTypo is the edit distance within which an unknown input is taken for
// a misspelt known one.
const maxTypo = 2

// UnknownInputs checks the names of the INPUT_ variables in environ (as
// os.Environ gives it; no value is ever looked at, as one may be a secret)
// against InputNames. An unknown input that differs from a known one only
// in letter case, '_' for '-', or by at most two edits is an error: the
// workflow meant the known one, and ignoring it could change the target.
// The other unknown inputs are returned, for one warning.
func UnknownInputs(environ []string) (unknown []string, err error) {
	known := InputNames()
	var errs []error
	seen := map[string]bool{}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		rest, ok := strings.CutPrefix(name, "INPUT_")
		if !ok || rest == "" || seen[rest] {
			continue
		}
		seen[rest] = true
		if slices.ContainsFunc(known, func(k string) bool { return rest == strings.ToUpper(k) }) {
			continue // the runner's own spelling of a declared input
		}
		// The runner upper-cases names and makes spaces underscores.
		shown := strings.ToLower(rest)
		if meant := closest(known, shown); meant != "" {
			errs = append(errs, fmt.Errorf("unknown input %s: did you mean %q?", quoteName(shown), meant))
			continue
		}
		unknown = append(unknown, shown)
	}
	slices.Sort(unknown)
	return unknown, errors.Join(errs...)
}

// closest is the known name that s is a variant or a typo of, or "".
func closest(known []string, s string) string {
	n := strings.NewReplacer("_", "-", " ", "-").Replace(strings.ToLower(s))
	best, bestD := "", maxTypo+1
	for _, k := range known {
		if d := distance(n, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the optimal string alignment distance between a and b, in
// runes: insertions, deletions, substitutions, and swaps of two adjacent
// runes each count one. It gives up at maxTypo+1.
func distance(a, b string) int {
	r, s := []rune(a), []rune(b)
	if max(len(r)-len(s), len(s)-len(r)) > maxTypo {
		return maxTypo + 1
	}
	d := make([][]int, len(r)+1)
	for i := range d {
		d[i] = make([]int, len(s)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(r); i++ {
		for j := 1; j <= len(s); j++ {
			cost := 1
			if r[i-1] == s[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && r[i-1] == s[j-2] && r[i-2] == s[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(r)][len(s)]
}

// maxNameShown bounds an unknown input's name in a message.
const maxNameShown = 64

// quoteName quotes an input's name for a message, cut short if long.
func quoteName(s string) string {
	if utf8.RuneCountInString(s) > maxNameShown {
		return quoteShort(s)
	}
	return fmt.Sprintf("%q", s)
}

// UnknownInputsWarning is the one warning naming the unknown inputs that
// UnknownInputs returned, or "" if there are none.
func UnknownInputsWarning(unknown []string) string {
	if len(unknown) == 0 {
		return ""
	}
	const maxShown = 10
	var shown []string
	for _, n := range unknown[:min(len(unknown), maxShown)] {
		shown = append(shown, quoteName(n))
	}
	list := strings.Join(shown, ", ")
	if len(unknown) > maxShown {
		list += fmt.Sprintf(" and %d more", len(unknown)-maxShown)
	}
	subject := "input " + list + " is"
	if len(unknown) > 1 {
		subject = "inputs " + list + " are"
	}
	return fmt.Sprintf("Unknown %s ignored: this action has no such input. Remove it from the step's with:, or fix its name (the inputs are %s)", subject, strings.Join(InputNames(), ", "))
}
