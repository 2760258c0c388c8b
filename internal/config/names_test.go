package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnknownInputs(t *testing.T) {
	t.Parallel()
	const value = "ghp_aValueThatMayBeASecret000000000001"
	// Every declared input, as the runner passes it.
	declared := []string{"GITHUB_REPOSITORY=octo-org/app", "PATH=/usr/bin", "INPUT_API-URL=https://api.github.com", "INPUT_KIND=registration"}
	for _, n := range InputNames() {
		declared = append(declared, "INPUT_"+strings.ToUpper(n)+"=")
	}
	cases := []struct {
		name    string
		extra   []string
		unknown []string
		wantErr []string
	}{
		{"only declared inputs", nil, nil, nil},
		{"British spelling", []string{"INPUT_ORGANISATION=my-org"}, nil, []string{`unknown input "organisation": did you mean "organization"?`}},
		{"underscore for hyphen", []string{"INPUT_API_URL=" + value}, nil, []string{`unknown input "api_url": did you mean "api-url"?`}},
		{"a space, as the runner passes it", []string{"INPUT_RUNNER_LABELS=gpu"}, nil, []string{`unknown input "runner_labels": did you mean "runner-labels"?`}},
		{"letter case (set through env:)", []string{"INPUT_Organization=my-org"}, nil, []string{`unknown input "organization": did you mean "organization"?`}},
		{"two edits", []string{"INPUT_REPOSITRY=o/r", "INPUT_ENTREPRISE=e"}, nil, []string{`unknown input "repositry": did you mean "repository"?`, `unknown input "entreprise": did you mean "enterprise"?`}},
		{"a swap is one edit", []string{"INPUT_RUNNER-GRUOP=g", "INPUT_TOEKN=" + value}, nil, []string{`"runner-gruop": did you mean "runner-group"?`, `"toekn": did you mean "token"?`}},
		{"client_id", []string{"INPUT_CLIENT_ID=Iv23li"}, nil, []string{`unknown input "client_id": did you mean "client-id"?`}},
		{"three edits: only a warning", []string{"INPUT_ORGANIZ=o"}, []string{"organiz"}, nil},
		{"unrelated: only a warning", []string{"INPUT_LABELS=gpu", "INPUT_SECRET-STUFF=" + value, "INPUT_LABELS=again"}, []string{"labels", "secret-stuff"}, nil},
		{"not inputs", []string{"INPUT_=x", "input_organisation=x", "MY_INPUT_ORGANISATION=x"}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			unknown, err := UnknownInputs(append(append([]string(nil), declared...), tc.extra...))
			if diff := cmp.Diff(tc.unknown, unknown); diff != "" {
				t.Errorf("unknown (-want +got):\n%s", diff)
			}
			if (err != nil) != (tc.wantErr != nil) {
				t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
			}
			if err == nil {
				return
			}
			if n := len(strings.Split(err.Error(), "\n")); n != len(tc.wantErr) {
				t.Errorf("%d lines in %q, want %d", n, err, len(tc.wantErr))
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), value) {
				t.Error("the error holds an input's value")
			}
		})
	}
}

func TestUnknownInputsWarning(t *testing.T) {
	t.Parallel()
	many := make([]string, 12)
	for i := range many {
		many[i] = string(rune('a'+i)) + "-input"
	}
	cases := []struct {
		name    string
		unknown []string
		want    string
	}{
		{"none", nil, ""},
		{"one", []string{"labels"}, `Unknown input "labels" is ignored: this action has no such input.`},
		{"two", []string{"labels", "name"}, `Unknown inputs "labels", "name" are ignored:`},
		{"many", many, `"j-input" and 2 more are ignored`},
		{"a long name is cut short", []string{strings.Repeat("x", 300)}, `"` + strings.Repeat("x", 64) + `"…`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := UnknownInputsWarning(tc.unknown)
			if tc.want == "" {
				if got != "" {
					t.Errorf("warning %q, want none", got)
				}
				return
			}
			if !strings.Contains(got, tc.want) || !strings.Contains(got, "(the inputs are api-url, app-id, client-id,") {
				t.Errorf("warning %q lacks %q, or the list of inputs", got, tc.want)
			}
		})
	}
}

// TestTypo: the edits between two names, counted as the optimal string
// alignment distance counts them, up to maxTypo; want 3 stands for more.
func TestTypo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"kind", "kind", 0}, {"kidn", "kind", 1}, {"kin", "kind", 1}, {"organisation", "organization", 1},
		{"repositry", "repository", 1}, {"entreprise", "enterprise", 1}, {"orgnisation", "organization", 2}, {"labels", "runner-labels", 3}, {"ä", "a", 1},
		{"ab", "ba", 1}, {"abc", "ca", 3}, // a swapped pair is not edited again
	} {
		for n := range maxTypo + 1 {
			if got := typo([]rune(tc.a), []rune(tc.b), n); got != (tc.want <= n) {
				t.Errorf("typo(%q, %q, %d) = %v, want %v (distance %d)", tc.a, tc.b, n, got, !got, tc.want)
			}
		}
	}
}
