package action

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

type removedRunner struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// removedNames reads the removed-runners output as a workflow's fromJSON
// would, checking each id against the simulator's.
func removedNames(t *testing.T, out string, ids map[string]int64) []string {
	t.Helper()
	var rs []removedRunner
	if err := json.Unmarshal([]byte(out), &rs); err != nil || rs == nil {
		t.Fatalf("removed-runners %q is not a JSON array: %v", out, err)
	}
	names := []string{}
	for _, r := range rs {
		if ids[r.Name] != r.ID {
			t.Errorf("removed-runners gives %q id %d, want %d", r.Name, r.ID, ids[r.Name])
		}
		names = append(names, r.Name)
	}
	return names
}

// pruneFleet registers the runners every prune case starts from, and
// returns their ids by name.
func pruneFleet(sim *ghsim.Server, path string) map[string]int64 {
	ids := map[string]int64{}
	for _, r := range []ghsim.Runner{
		{Name: "vm-1", Status: "offline", Labels: []string{"self-hosted", "linux", "gpu"}},
		{Name: "VM-2", Status: "offline", Labels: []string{"self-hosted", "Linux"}},
		{Name: "vm-live", Status: "online", Labels: []string{"self-hosted", "linux", "gpu"}},
		{Name: "vm-busy", Status: "online", Busy: true, Labels: []string{"self-hosted", "linux", "gpu"}},
		{Name: "other-1", Status: "offline", Labels: []string{"self-hosted", "linux", "gpu"}},
	} {
		ids[r.Name] = sim.AddRunner(path, r).ID
	}
	return ids
}

func TestPrune(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		inputs  map[string]string
		removed []string
		left    []string
		log     []string
	}{
		{"by name prefix, ignoring case", map[string]string{"INPUT_RUNNER-NAME-PREFIX": "vm-"},
			[]string{"vm-1", "VM-2"}, []string{"vm-live", "vm-busy", "other-1"},
			[]string{`Removed runner "vm-1" (id ID:vm-1), offline, idle.`, `Skipped runner "vm-live" (id ID:vm-live), online, idle: only offline, idle runners are removed.`,
				`Skipped runner "vm-busy" (id ID:vm-busy), online, busy`, "Removed 2 runners from organization octo-org."}},
		{"by labels: all of them, ignoring case", map[string]string{"INPUT_RUNNER-LABELS": "LINUX,gpu"},
			[]string{"vm-1", "other-1"}, []string{"VM-2", "vm-live", "vm-busy"}, nil},
		{"by both", map[string]string{"INPUT_RUNNER-NAME-PREFIX": "vm", "INPUT_RUNNER-LABELS": "gpu"},
			[]string{"vm-1"}, []string{"VM-2", "vm-live", "vm-busy", "other-1"}, nil},
		{"nothing matches", map[string]string{"INPUT_RUNNER-NAME-PREFIX": "nope-"},
			[]string{}, []string{"vm-1", "VM-2", "vm-live", "vm-busy", "other-1"},
			[]string{`No runner of organization octo-org matches name prefix "nope-": nothing to remove.`}},
		{"dry run: lists, removes nothing", map[string]string{"INPUT_RUNNER-NAME-PREFIX": "vm-", "INPUT_DRY-RUN": "true"},
			[]string{}, []string{"vm-1", "VM-2", "vm-live", "vm-busy", "other-1"},
			[]string{`Would remove runner "vm-1" (id ID:vm-1), offline, idle.`, "Dry run: 2 runners of organization octo-org would be removed; none was."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t).set(map[string]string{"INPUT_KIND": "prune", "INPUT_ORGANIZATION": "octo-org"}).set(tc.inputs)
			ids := pruneFleet(h.sim, "orgs/octo-org")
			if code := h.run(); code != 0 {
				t.Fatalf("exit code %d: %q", code, h.errors())
			}
			out := h.outputs()
			if diff := cmp.Diff(tc.removed, removedNames(t, out["removed-runners"], ids)); diff != "" {
				t.Errorf("removed-runners (-want +got):\n%s", diff)
			}
			if out["removed-count"] != fmt.Sprint(len(tc.removed)) || out["runner-url"] != "https://ghes.example.com/octo-org" || len(out) != 3 {
				t.Errorf("outputs %v", out)
			}
			if diff := cmp.Diff(tc.left, runnerNames(h.sim.Runners("orgs/octo-org"))); diff != "" {
				t.Errorf("runners left (-want +got):\n%s", diff)
			}
			log := runnertest.Render(h.stdout.String(), false)
			for _, l := range tc.log {
				for name, id := range ids {
					l = strings.ReplaceAll(l, "ID:"+name+")", fmt.Sprint(id)+")")
				}
				if !strings.Contains(log, l) {
					t.Errorf("log lacks %q:\n%s", l, log)
				}
			}
			var deletes int
			for _, r := range h.sim.Requests() {
				if r.Method == http.MethodDelete {
					deletes++
				}
			}
			if deletes != len(tc.removed) {
				t.Errorf("%d removals asked for, want %d: never an online or busy runner", deletes, len(tc.removed))
			}
			if sum := h.file(h.sumFile); !strings.Contains(sum, "### Self-hosted runners") || len(tc.log) > 0 && tc.removed != nil && len(tc.removed) > 0 && !strings.Contains(sum, "| `vm-busy` |") {
				t.Errorf("summary:\n%s", sum)
			}
		})
	}
}

// TestPruneEveryPage: the whole list, past GitHub's 100 a page.
func TestPrunePaginates(t *testing.T) {
	t.Parallel()
	h := newHarness(t).set(map[string]string{"INPUT_KIND": "prune", "INPUT_ENTERPRISE": "octo-ent", "INPUT_RUNNER-NAME-PREFIX": "ci-", "INPUT_MAX-REMOVALS": "150"})
	for i := range 250 {
		status := "offline"
		if i%2 == 1 {
			status = "online"
		}
		h.sim.AddRunner("enterprises/octo-ent", ghsim.Runner{Name: fmt.Sprintf("ci-%03d", i), Status: status, Labels: []string{"self-hosted"}})
	}
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	if got := h.outputs()["removed-count"]; got != "125" {
		t.Errorf("removed-count %s, want 125", got)
	}
	left := h.sim.Runners("enterprises/octo-ent")
	if len(left) != 125 || slices.ContainsFunc(left, func(r ghsim.Runner) bool { return r.Status != "online" }) {
		t.Errorf("%d runners left, want the 125 online ones", len(left))
	}
	var pages []string
	for _, r := range h.sim.Requests() {
		if r.Method == http.MethodGet {
			pages = append(pages, r.Query)
		}
	}
	if diff := cmp.Diff([]string{"page=1&per_page=100", "page=2&per_page=100", "page=3&per_page=100"}, pages); diff != "" {
		t.Errorf("listings (-want +got):\n%s", diff)
	}
}

func TestPruneSafetyValve(t *testing.T) {
	t.Parallel()
	for _, dry := range []string{"", "true"} {
		h := newHarness(t).set(map[string]string{"INPUT_KIND": "prune", "INPUT_RUNNER-LABELS": "gpu", "INPUT_DRY-RUN": dry})
		for i := range 12 {
			h.sim.AddRunner("repos/octo-org/app", ghsim.Runner{Name: fmt.Sprintf("gpu-%d", i), Status: "offline", Labels: []string{"gpu"}})
		}
		code := h.run()
		if n := len(h.sim.Runners("repos/octo-org/app")); n != 12 {
			t.Errorf("dry-run %q: %d runners left, want all 12", dry, n)
		}
		if dry == "" {
			want := `12 offline, idle runners of repository octo-org/app match the filters ("gpu-0", "gpu-1", "gpu-2", "gpu-3", "gpu-4" and 7 more), more than max-removals (10), so none was removed`
			if e := h.errors(); code != 1 || len(e) != 1 || !strings.Contains(e[0], want) {
				t.Errorf("exit %d, errors %q; want 1 and %q", code, e, want)
			}
			if len(h.outputs()) != 0 || len(h.sim.Requests()) != 1 {
				t.Errorf("outputs %v after %d requests; want none, after the listing only", h.outputs(), len(h.sim.Requests()))
			}
			continue
		}
		if w := h.annotations("warning"); code != 0 || len(w) != 1 || !strings.Contains(w[0], "12 runners match, more than max-removals (10): without dry-run, this step would remove none and fail.") {
			t.Errorf("dry run: exit %d, warnings %q", code, w)
		}
		if got := h.outputs(); got["removed-count"] != "0" || got["removed-runners"] != "[]" {
			t.Errorf("dry run: outputs %v", got)
		}
	}
}

// TestPruneFailures: a runner that took a job since the listing is
// skipped; a removal that fails does not stop the others, and the step
// fails at the end naming it, with what was removed handed over.
func TestPruneFailures(t *testing.T) {
	t.Parallel()
	h := newHarness(t).set(map[string]string{"INPUT_KIND": "prune", "INPUT_RUNNER-NAME-PREFIX": "vm-"})
	var ids []int64
	for _, n := range []string{"vm-1", "vm-2", "vm-3", "vm-4"} {
		ids = append(ids, h.sim.AddRunner("repos/octo-org/app", ghsim.Runner{Name: n, Status: "offline", Labels: []string{"self-hosted"}}).ID)
	}
	h.sim.Schedule(ids[1], ghsim.Offline, ghsim.Busy) // listed idle, busy at its removal
	fail := h.sim.Status(502, "Server Error")
	// The listing, vm-1, vm-2 (422), then vm-3 five times: every try fails.
	h.sim.Inject(nil, nil, nil, fail, fail, fail, fail, fail)
	if code := h.run(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	want := fmt.Sprintf(`could not remove 1 of the runners to prune from repository octo-org/app (the others were removed or skipped; the summary lists them): runner "vm-3" (id %d): removing runner id %d from repository octo-org/app: GitHub answered 502 Bad Gateway`, ids[2], ids[2])
	if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], want) {
		t.Errorf("errors %q, want one saying %q", e, want)
	}
	ids4 := map[string]int64{"vm-1": ids[0], "vm-4": ids[3]}
	if diff := cmp.Diff([]string{"vm-1", "vm-4"}, removedNames(t, h.outputs()["removed-runners"], ids4)); diff != "" {
		t.Errorf("removed-runners (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"vm-2", "vm-3"}, runnerNames(h.sim.Runners("repos/octo-org/app"))); diff != "" {
		t.Errorf("runners left (-want +got):\n%s", diff)
	}
	sum := h.file(h.sumFile)
	for _, w := range []string{"| `vm-2` |", "skipped: it took a job since it was listed", "| `vm-3` |", "failed: see the error", "| Removed | 2 |"} {
		if !strings.Contains(sum, w) {
			t.Errorf("summary lacks %q:\n%s", w, sum)
		}
	}
}

// TestPruneHostileNames: a runner name from the server reaches the
// removed-runners output rendered safe, and the summary as a code span.
func TestPruneHostileNames(t *testing.T) {
	t.Parallel()
	h := newHarness(t).set(map[string]string{"INPUT_KIND": "prune", "INPUT_RUNNER-NAME-PREFIX": "vm"})
	id := h.sim.AddRunner("repos/octo-org/app", ghsim.Runner{Name: "vm\n::set-output name=x::\x1b[31m|`<b>", Status: "offline"}).ID
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	want := `vm ::set-output name=x::[31m|` + "`" + `<b>`
	got := removedNames(t, h.outputs()["removed-runners"], map[string]int64{want: id})
	if diff := cmp.Diff([]string{want}, got); diff != "" {
		t.Errorf("removed-runners (-want +got):\n%s", diff)
	}
	if sum := h.file(h.sumFile); !strings.Contains(sum, "| ``vm ::set-output name=x::[31m\\|`<b>`` |") {
		t.Errorf("summary:\n%s", sum)
	}
	if len(h.sim.Runners("repos/octo-org/app")) != 0 {
		t.Error("the runner was not removed")
	}
}

// TestPruneARunnerListedWithoutAnID: nothing is sent for a runner the list
// gives no id for (no DELETE …/runners/0); the step names it and fails.
func TestPruneARunnerListedWithoutAnID(t *testing.T) {
	t.Parallel()
	h := newHarness(t).set(map[string]string{"INPUT_KIND": "prune", "INPUT_RUNNER-NAME-PREFIX": "vm-"})
	h.sim.Inject(h.sim.Answer(http.StatusOK, `{"total_count":1,"runners":[{"name":"vm-1","status":"offline","busy":false,"labels":[]}]}`))
	if code := h.run(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], "GitHub lists it without an id") {
		t.Errorf("errors %q", e)
	}
	if n := len(h.sim.Requests()); n != 1 {
		t.Errorf("%d requests, want only the listing", n)
	}
}
