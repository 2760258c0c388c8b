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
			errs = append(errs, fmt.Errorf("unknown input %s: did you mean %q?", quoteShort(shown, maxNameShown), meant))
			continue
		}
		unknown = append(unknown, shown)
	}
	slices.Sort(unknown)
	return unknown, errors.Join(errs...)
}

// closest is the known name that s is a variant or a typo of, or "": the
// one fewest edits away, the first of those in known's order.
func closest(known []string, s string) string {
	n := []rune(strings.NewReplacer("_", "-", " ", "-").Replace(strings.ToLower(s)))
	for edits := range maxTypo + 1 {
		for _, k := range known {
			if typo(n, []rune(k), edits) {
				return k
			}
		}
	}
	return ""
}

// typo says whether a becomes b in at most n edits, counted as the optimal
// string alignment distance counts them: inserting, deleting or changing a
// rune, or swapping two adjacent ones, is one edit. With n at most maxTypo
// the search stays small.
func typo(a, b []rune, n int) bool {
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	switch {
	case len(a) == 0 || len(b) == 0:
		return max(len(a), len(b)) <= n
	case n == 0:
		return false
	case len(a) > 1 && len(b) > 1 && a[0] == b[1] && a[1] == b[0] && typo(a[2:], b[2:], n-1):
		return true
	}
	return typo(a[1:], b, n-1) || typo(a, b[1:], n-1) || typo(a[1:], b[1:], n-1)
}

// maxNameShown bounds an unknown input's name in a message.
const maxNameShown = 64

// UnknownInputsWarning is the one warning naming the unknown inputs that
// UnknownInputs returned, or "" if there are none.
func UnknownInputsWarning(unknown []string) string {
	if len(unknown) == 0 {
		return ""
	}
	const maxShown = 10
	var shown []string
	for _, n := range unknown[:min(len(unknown), maxShown)] {
		shown = append(shown, quoteShort(n, maxNameShown))
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
