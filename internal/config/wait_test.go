package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseWaitAndPrune(t *testing.T) {
	t.Parallel()
	type want struct {
		Kind    Kind
		Runner  RunnerRef
		WaitFor WaitState
		Prune   PruneRequest
	}
	cases := []struct {
		name  string
		edits map[string]string
		want  want
	}{
		{"wait by id", map[string]string{"INPUT_KIND": "wait", "INPUT_RUNNER-ID": "42", "INPUT_WAIT-FOR": "online"},
			want{Kind: Wait, Runner: RunnerRef{ID: 42}, WaitFor: WaitOnline}},
		{"wait by name, any case", map[string]string{"INPUT_KIND": "Wait", "INPUT_RUNNER-NAME": "vm-7", "INPUT_WAIT-FOR": "GONE"},
			want{Kind: Wait, Runner: RunnerRef{Name: "vm-7"}, WaitFor: WaitGone}},
		{"wait for idle", map[string]string{"INPUT_KIND": "wait", "INPUT_RUNNER-NAME": "vm-7", "INPUT_WAIT-FOR": "idle"},
			want{Kind: Wait, Runner: RunnerRef{Name: "vm-7"}, WaitFor: WaitIdle}},
		{"prune by prefix: defaults", map[string]string{"INPUT_KIND": "prune", "INPUT_RUNNER-NAME-PREFIX": "vm-"},
			want{Kind: Prune, Prune: PruneRequest{Prefix: "vm-", MaxRemovals: 10}}},
		{"prune by labels, dry run", map[string]string{"INPUT_KIND": "prune", "INPUT_RUNNER-LABELS": "gpu, Linux,gpu", "INPUT_DRY-RUN": "True", "INPUT_MAX-REMOVALS": "3"},
			want{Kind: Prune, Prune: PruneRequest{Labels: []string{"gpu", "Linux"}, MaxRemovals: 3, DryRun: true}}},
		{"prune by both", map[string]string{"INPUT_KIND": "prune", "INPUT_RUNNER-NAME-PREFIX": "ci-", "INPUT_RUNNER-LABELS": "gpu", "INPUT_DRY-RUN": "false"},
			want{Kind: Prune, Prune: PruneRequest{Prefix: "ci-", Labels: []string{"gpu"}, MaxRemovals: 10}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, env(tc.edits)).Parse()
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.want, want{c.Kind, c.Runner, c.WaitFor, c.Prune}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseWaitAndPruneErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edits map[string]string
		want  []string
	}{
		{"wait without a runner or state", map[string]string{"INPUT_KIND": "wait"},
			[]string{"kind wait needs input runner-id", "kind wait needs input wait-for: online, idle"}},
		{"wait with both", map[string]string{"INPUT_KIND": "wait", "INPUT_RUNNER-ID": "7", "INPUT_RUNNER-NAME": "r", "INPUT_WAIT-FOR": "gone"},
			[]string{"inputs runner-id and runner-name are both set: kind wait waits for one runner"}},
		{"wait for a state there is none of", map[string]string{"INPUT_KIND": "wait", "INPUT_RUNNER-ID": "x", "INPUT_WAIT-FOR": "offline"},
			[]string{`input wait-for "offline" is not one of: online, idle, gone`, `input runner-id "x" is not a runner id`}},
		{"wait-for with another kind", map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-ID": "7", "INPUT_WAIT-FOR": "gone"},
			[]string{"input wait-for applies only to kind wait: remove it, or set kind: wait"}},
		{"prune with no filter: refused", map[string]string{"INPUT_KIND": "prune"},
			[]string{"kind prune needs a filter: set runner-name-prefix, runner-labels or both"}},
		{"prune with only a dry run is no filter", map[string]string{"INPUT_KIND": "prune", "INPUT_DRY-RUN": "true", "INPUT_MAX-REMOVALS": "5"},
			[]string{"kind prune needs a filter"}},
		{"prune's inputs, all wrong", map[string]string{"INPUT_KIND": "prune", "INPUT_RUNNER-NAME-PREFIX": "a b", "INPUT_RUNNER-LABELS": "a,,b", "INPUT_MAX-REMOVALS": "0", "INPUT_DRY-RUN": "yes"},
			[]string{`input runner-name-prefix "a b" contains a space`, "input runner-labels: entry 2 is empty", `input max-removals "0" is not a number of runners`, `input dry-run "yes" is not true or false`}},
		{"max-removals too large", map[string]string{"INPUT_KIND": "prune", "INPUT_RUNNER-NAME-PREFIX": "a", "INPUT_MAX-REMOVALS": "99999999999999999999"},
			[]string{`input max-removals "99999999999999999999" is not a number`}},
		{"a prefix longer than any name", map[string]string{"INPUT_KIND": "prune", "INPUT_RUNNER-NAME-PREFIX": strings.Repeat("p", 65)},
			[]string{"input runner-name-prefix is 65 characters long"}},
		{"prune's inputs with kind jit", map[string]string{"INPUT_KIND": "jit", "INPUT_RUNNER-NAME-PREFIX": "a", "INPUT_MAX-REMOVALS": "3", "INPUT_DRY-RUN": "true"},
			[]string{"inputs runner-name-prefix, max-removals, dry-run apply only to kind prune: remove them, or set kind: prune"}},
		{"runner-name with kind prune", map[string]string{"INPUT_KIND": "prune", "INPUT_RUNNER-NAME": "vm-1"},
			[]string{"input runner-name applies only to kinds jit, delete-runner, wait", "kind prune needs a filter"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := parseErr(t, env(tc.edits))
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
