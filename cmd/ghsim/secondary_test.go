package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
)

func TestSecondaryLimitFlag(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    ghsim.SecondaryLimit
		wantErr string
	}{
		{"900", ghsim.SecondaryLimit{PointsPerMinute: 900}, ""},
		{"300,retry-after=1,concurrency=100,burst=25", ghsim.SecondaryLimit{PointsPerMinute: 300, RetryAfter: time.Second, Concurrency: 100, Burst: 25}, ""},
		{"", ghsim.SecondaryLimit{}, "start with the points a minute"},
		{"0", ghsim.SecondaryLimit{}, "start with the points a minute"},
		{"retry-after=1", ghsim.SecondaryLimit{}, "start with the points a minute"},
		{"900,retry-after=0", ghsim.SecondaryLimit{}, `retry-after="0": want a whole number from 1`},
		{"900,burst", ghsim.SecondaryLimit{}, `burst="": want a whole number from 1`},
		{"900,concurrency=-3", ghsim.SecondaryLimit{}, `concurrency="-3"`},
		{"900,colour=red", ghsim.SecondaryLimit{}, `unknown key "colour"`},
		{"900,burst=5,burst=6", ghsim.SecondaryLimit{}, "burst given twice"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			var c config
			err := c.setSecondaryLimit(tc.in)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("setSecondaryLimit(%q): %v", tc.in, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("setSecondaryLimit(%q) = %v, want %q", tc.in, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, c.secondary); diff != "" {
				t.Errorf("limit (-want +got):\n%s", diff)
			}
		})
	}
	var c config
	if err := c.setSecondaryLimit("900"); err != nil {
		t.Fatal(err)
	}
	if err := c.setSecondaryLimit("600"); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("a second -secondary-limit: %v, want refused", err)
	}
}

// TestSecondaryLimitServed: a bucket of one POST that refills a point a
// minute refuses the second POST with GitHub's answer, and ghsim says what
// it enforces.
func TestSecondaryLimitServed(t *testing.T) {
	t.Parallel()
	s := start(t, "-secondary-limit", "1,burst=5,retry-after=7")
	const mint = "/repos/octo-org/app/actions/runners/registration-token"
	var got []string
	for range 2 {
		status, h, b, err := s.call(t, "POST", mint, "", "")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{http.StatusText(status), h.Get("Retry-After"), firstWords(string(b))}, "|"))
	}
	want := []string{
		"Created||",
		`Forbidden|7|{"documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","message":"You have exceeded a secondary rate limit.`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if line := "secondary rate limit: 1 points a minute per credential (GET 1, POST 5), bucket of 5, Retry-After 7s"; !strings.Contains(s.out.String(), line) {
		t.Errorf("stdout lacks %q:\n%s", line, s.out.String())
	}
}

// firstWords is a refusal's body up to its first sentence, "" for a token.
func firstWords(b string) string {
	if !strings.Contains(b, "secondary rate limit") {
		return ""
	}
	i := strings.Index(b, "limit.")
	return b[:i+len("limit.")]
}
