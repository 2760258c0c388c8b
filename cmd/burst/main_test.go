package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args    []string
		want    settings
		wantErr string
	}{
		{nil, settings{jobs: 100, rate: 5, retryAfter: time.Second, timeout: "2m", maxTime: 10 * time.Minute}, ""},
		{[]string{"-jobs", "250", "-rate", "3", "-retry-after", "60", "-baseline", "d93993c", "-timeout", "5m", "-max-time", "20m"},
			settings{jobs: 250, rate: 3, retryAfter: time.Minute, timeout: "5m", baseline: "d93993c", maxTime: 20 * time.Minute}, ""},
		{[]string{"-jobs", "0"}, settings{}, "-jobs 0: give 1 to 1000"},
		{[]string{"-jobs", "5000"}, settings{}, "-jobs 5000: give 1 to 1000"},
		{[]string{"-rate", "0"}, settings{}, "-rate 0"},
		{[]string{"-retry-after", "0"}, settings{}, "-retry-after 0: give 1 to 3600 seconds"},
		{[]string{"-max-time", "2h"}, settings{}, "-max-time 2h0m0s: give up to 30m0s"},
		{[]string{"now"}, settings{}, `unexpected argument "now"`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			var stderr strings.Builder
			got, code, ok := parse(tc.args, io.Discard, &stderr)
			switch {
			case tc.wantErr == "" && !ok:
				t.Fatalf("parse: exit %d: %s", code, stderr.String())
			case tc.wantErr != "":
				if ok || code != 2 || !strings.Contains(stderr.String(), tc.wantErr) {
					t.Fatalf("parse = exit %d, %q; want exit 2 and %q", code, stderr.String(), tc.wantErr)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(settings{})); diff != "" {
				t.Errorf("settings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorLine(t *testing.T) {
	t.Parallel()
	cases := []struct{ stdout, want string }{
		{"::add-mask::AAAATOKEN\n::notice::fine\n", "(no ::error:: line)"},
		{"retrying\n::error title=Runner token::could not mint: 403\n::error::second\n", "could not mint: 403"},
		{"::error::" + strings.Repeat("x", 500), strings.Repeat("x", 400) + "…"},
	}
	for _, tc := range cases {
		if got := errorLine(tc.stdout); got != tc.want {
			t.Errorf("errorLine(%.40q) = %q, want %q", tc.stdout, got, tc.want)
		}
	}
}

func TestReport(t *testing.T) {
	t.Parallel()
	s := settings{jobs: 4, rate: 2}
	var out bytes.Buffer
	report(&out, s, []result{
		{name: "action at v1", times: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 10 * time.Second}, succeeded: 3, span: 10 * time.Second, requests: 10, limited: 6, failure: "could not mint"},
		{name: "action (this tree)", times: []time.Duration{time.Second, time.Second, 2 * time.Second, 2 * time.Second}, succeeded: 4, span: 2 * time.Second, requests: 6, limited: 2},
	})
	want := `| policy | succeeded | all done after | ideal (jobs ÷ budget) | requests per job | p50 job | p95 job | refused (403) |
|---|---|---|---|---|---|---|---|
| action at v1 | 3 of 4 | 10.0 s | 2.0 s | 2.5 | 2.0 s | 3.0 s | 6 |
| action (this tree) | 4 of 4 | 2.0 s | 2.0 s | 1.5 | 1.0 s | 2.0 s | 2 |

action at v1, one failed run: could not mint
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

// TestSmallBurst runs the built action: a burst of 8 at 4 a second, all of
// which get through.
func TestSmallBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the action")
	}
	t.Parallel()
	var out bytes.Buffer
	s, code, ok := parse([]string{"-jobs", "8", "-rate", "4", "-retry-after", "1", "-max-time", "3m"}, io.Discard, io.Discard)
	if !ok {
		t.Fatalf("parse: exit %d", code)
	}
	if err := run(context.Background(), s, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "| action (this tree) | 8 of 8 |") {
		t.Errorf("not every run got a token:\n%s", out.String())
	}
	if strings.Contains(out.String(), token) {
		t.Error("the report holds the credential")
	}
}
