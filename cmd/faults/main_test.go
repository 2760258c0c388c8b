package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestScenariosRun runs the quick scenarios, so the table cannot rot: the
// ones with real waits are left to `go run ./cmd/faults`.
func TestScenariosRun(t *testing.T) {
	type want struct {
		outcome  string // a prefix
		attempts int
		left     string // a prefix
	}
	wants := map[string]want{
		"none":                {"minted: token set", 1, "nothing"},
		"501 Not Implemented": {"failed (", 1, "nothing"},
		"401 Bad credentials": {"failed (", 1, "nothing"},
		"4 MiB answer":        {"failed (", 1, "nothing"},
		"primary rate limit, resets in 1 h (timeout 2m)":                                {"failed (", 1, "nothing"},
		"a success with X-RateLimit-Remaining: 0 (reset in 1 h), then the next request": {"failed (", 0, "nothing"},
		"422 with 3000 error details":                                                   {"failed (", 1, "nothing"},
		"expires_at in lower case (RFC 3339 allows it)":                                 {"minted: token set", 1, "nothing"},
		"proxy answers 407":                            {"failed (", 0, "nothing"},
		"kind jit: runner registered, answer not JSON": {"failed (", 1, "nothing"},
		"kind jit: runner registered, answer not JSON, clean-up rate limited for 50 min": {"failed (", 1, "runner "},
		"GitHub App: installation token's expires_at unreadable":                         {"minted: token set", 1, "nothing"},
		"kind delete-runner: runner removed, answer lost (502)":                          {"succeeded: deleted=true", 2, "nothing"},
		"kind delete-runner: the runner took a job since the look-up (422)":              {"failed (", 1, "runner "},
	}
	seen := 0
	for _, sc := range scenarios() {
		w, ok := wants[sc.fault]
		if !ok {
			continue
		}
		seen++
		r, err := try(sc)
		if err != nil {
			t.Fatalf("%s: %v", sc.fault, err)
		}
		if !strings.HasPrefix(r.outcome, w.outcome) || r.attempts != w.attempts || !strings.HasPrefix(r.left, w.left) {
			t.Errorf("%s: %q after %d attempts, left %q; want %q after %d, left %q", sc.fault, r.outcome, r.attempts, r.left, w.outcome, w.attempts, w.left)
		}
		if strings.HasPrefix(r.outcome, "failed (") {
			var n int
			if _, err := fmt.Sscanf(r.outcome, "failed (%d bytes)", &n); err != nil || n > 4096 {
				t.Errorf("%s: error of %d bytes (%v), want at most 4 KiB", sc.fault, n, err)
			}
		}
	}
	if seen != len(wants) {
		t.Errorf("ran %d of %d scenarios: names changed?", seen, len(wants))
	}
}
