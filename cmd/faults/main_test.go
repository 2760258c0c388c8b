package main

import (
	"strings"
	"testing"
)

// TestScenariosRun runs the quick scenarios, so the table cannot rot: the
// ones with real waits are left to `go run ./cmd/faults`.
func TestScenariosRun(t *testing.T) {
	want := map[string]string{
		"none":                "minted: token set",
		"501 Not Implemented": "failed: GitHub answered 501",
		"401 Bad credentials": "failed: GitHub answered 401",
		"4 MiB answer":        "failed: the API's answer is too large",
		"primary rate limit, resets in 1 h (timeout 2m)": "failed: GitHub answered 403",
	}
	seen := 0
	for _, sc := range scenarios() {
		prefix, ok := want[sc.fault]
		if !ok {
			continue
		}
		seen++
		outcome, attempts, _, err := try(sc)
		if err != nil {
			t.Fatalf("%s: %v", sc.fault, err)
		}
		if !strings.HasPrefix(outcome, prefix) || attempts != 1 {
			t.Errorf("%s: %q after %d attempts, want %q after 1", sc.fault, outcome, attempts, prefix)
		}
	}
	if seen != len(want) {
		t.Errorf("ran %d of %d scenarios: names changed?", seen, len(want))
	}
}
