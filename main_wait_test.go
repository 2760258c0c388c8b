package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// The binary runs on the real clock: these schedules change a runner's
// state at its first or second look, so that a case waits once, about 2s,
// at most.

// TestContainerWaits: kind wait, as a provisioning job runs it after
// starting a machine, and after its build.
func TestContainerWaits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		inputs   map[string]string // ID: vm-1's id
		schedule []ghsim.RunnerState
		code     int
		want     map[string]string // outputs, besides runner-url
		log      []string          // in order
		says     string            // the error's words
		requests []string          // method and path, ID for vm-1's id
		left     []string
	}{
		{"online: the machine booted", map[string]string{"runner-id": "ID", "wait-for": "online"},
			[]ghsim.RunnerState{ghsim.Offline, ghsim.Online}, 0,
			map[string]string{"runner-id": "ID", "runner-name": "vm-1", "runner-status": "online", "runner-busy": "false"},
			[]string{`Runner "vm-1" (id ID) is offline, idle`, `Runner "vm-1" (id ID) is online, idle`, "is online, idle, as waited for, after "}, "",
			[]string{"GET runners/ID", "GET runners/ID"}, []string{"vm-1", "other"}},
		{"idle, by name: found once through the list", map[string]string{"runner-name": "vm-1", "wait-for": "idle"},
			[]ghsim.RunnerState{ghsim.Busy, ghsim.Online}, 0,
			map[string]string{"runner-id": "ID", "runner-name": "vm-1", "runner-status": "online", "runner-busy": "false"},
			[]string{`Runner "vm-1" (id ID) is online, busy`, `Runner "vm-1" (id ID) is online, idle`}, "",
			[]string{"GET runners?name=vm-1&page=1&per_page=100", "GET runners/ID"}, []string{"vm-1", "other"}},
		{"gone: the ephemeral runner's job is done", map[string]string{"runner-id": "ID", "wait-for": "gone"},
			[]ghsim.RunnerState{ghsim.Busy, ghsim.Gone}, 0,
			map[string]string{"runner-id": "ID", "runner-name": "vm-1", "runner-status": "gone", "runner-busy": "false"},
			[]string{`Runner "vm-1" (id ID) is online, busy`, `Runner "vm-1" (id ID) is gone from organization octo-org, as waited for`}, "",
			[]string{"GET runners/ID", "GET runners/ID", "GET runners?per_page=1"}, []string{"other"}},
		{"gone: a name not registered", map[string]string{"runner-name": "vm-9", "wait-for": "gone"}, nil, 0,
			map[string]string{"runner-id": "", "runner-name": "vm-9", "runner-status": "gone", "runner-busy": "false"},
			[]string{`Runner "vm-9" is not registered in organization octo-org, as waited for.`}, "",
			[]string{"GET runners?name=vm-9&page=1&per_page=100"}, []string{"vm-1", "other"}},
		{"online, but the runner is removed mid-wait: fails at once", map[string]string{"runner-id": "ID", "wait-for": "online"},
			[]ghsim.RunnerState{ghsim.Offline, ghsim.Gone}, 1, nil,
			[]string{`Runner "vm-1" (id ID) is offline, idle`},
			`runner "vm-1" (id ID) was removed from organization octo-org while this step waited for it to be online (last seen offline, idle)`,
			[]string{"GET runners/ID", "GET runners/ID", "GET runners?per_page=1"}, []string{"other"}},
		{"the step's deadline: names the runner and its last status", map[string]string{"runner-name": "vm-1", "wait-for": "online", "timeout": "5s"},
			[]ghsim.RunnerState{ghsim.Offline}, 1, nil,
			[]string{`Runner "vm-1" (id ID) is offline, idle`},
			`the step's timeout ran out while waiting: runner "vm-1" (id ID) in organization octo-org was not online; last seen offline, idle. A wait usually needs a larger timeout than 5s: raise the timeout input, up to 1h`,
			nil, []string{"vm-1", "other"}},
		{"bad input, before any request", map[string]string{"runner-id": "ID", "wait-for": "offline"}, nil, 1, nil, nil,
			`input wait-for "offline" is not one of: online, idle, gone`, []string{}, []string{"vm-1", "other"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newContainer(t)
			c.env[runnertest.InputEnv("kind")] = "wait"
			c.env[runnertest.InputEnv("organization")] = "octo-org"
			vm := c.sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: "vm-1", Labels: []string{"self-hosted"}})
			c.sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: "other", Status: "online", Labels: []string{"self-hosted"}})
			c.sim.Schedule(vm.ID, tc.schedule...)
			id := strconv.FormatInt(vm.ID, 10)
			c.runAbout(t, id, tc.inputs, tc.code, tc.want)
			lines := make([]string, len(tc.log))
			for i, l := range tc.log {
				lines[i] = strings.ReplaceAll(l, "ID", id)
			}
			log := runnertest.Render(c.stdout, false)
			if l := runnertest.Lacks(log, lines...); l != "" {
				t.Errorf("log lacks %q (in order):\n%s", l, log)
			}
			if e := c.errorAnnotation(); !strings.Contains(e, strings.ReplaceAll(tc.says, "ID", id)) || tc.says == "" && e != "" {
				t.Errorf("error %q, want %q", e, tc.says)
			}
			if tc.requests != nil {
				reqs := []string{}
				for _, r := range c.sim.Requests() {
					l := r.Method + " " + strings.TrimPrefix(r.Path, "/api/v3/orgs/octo-org/actions/")
					if r.Query != "" {
						l += "?" + r.Query
					}
					reqs = append(reqs, strings.ReplaceAll(l, id, "ID"))
				}
				if diff := cmp.Diff(tc.requests, reqs); diff != "" {
					t.Errorf("requests (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tc.left, names(c.sim.Runners("orgs/octo-org"))); diff != "" {
				t.Errorf("runners left (-want +got):\n%s", diff)
			}
			if tc.code == 0 {
				c.assertStepContract(t, "### Self-hosted runner "+tc.inputs["wait-for"], adminToken)
			}
			if err := runnertest.CheckSecret(c.stdout, adminToken); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestContainerPrunes: kind prune, as a scheduled clean-up job runs it.
func TestContainerPrunes(t *testing.T) {
	t.Parallel()
	forbidden := func(s *ghsim.Server) ghsim.Fault {
		return s.Status(403, "Resource not accessible by personal access token")
	}
	cases := []struct {
		name    string
		inputs  map[string]string
		faults  func(s *ghsim.Server) []ghsim.Fault
		code    int
		removed []string // the removed-runners output's names; nil: no outputs
		left    int      // how many of the fleet's 130 runners are left
		leftOf  []string // which of the named ones are left
		says    string   // the error's words
	}{
		{"prefix and labels, over two pages; never an online or busy one; a 422 is a skip",
			map[string]string{"runner-name-prefix": "vm-", "runner-labels": "gpu", "max-removals": "3"}, nil, 0,
			[]string{"vm-old-1", "vm-old-2"}, 128, []string{"vm-live", "vm-busy", "vm-took-a-job", "vm-cpu"}, ""},
		{"no filter: an input error, before any request", map[string]string{"dry-run": "true"}, nil, 1,
			nil, 130, []string{"vm-old-1", "vm-old-2", "vm-live", "vm-busy", "vm-took-a-job", "vm-cpu"}, "inputs need fixing:\nkind prune needs a filter"},
		{"more than max-removals: none removed", map[string]string{"runner-name-prefix": "ci-"}, nil, 1,
			nil, 130, []string{"vm-old-1", "vm-old-2"},
			`124 offline, idle runners of organization octo-org match the filters ("ci-000", "ci-001", "ci-002", "ci-003", "ci-004" and 119 more), more than max-removals (10), so none was removed`},
		{"dry run: lists, removes nothing", map[string]string{"runner-name-prefix": "ci-", "dry-run": "true", "max-removals": "200"}, nil, 0,
			[]string{}, 130, []string{"vm-old-1", "vm-old-2"}, ""},
		{"a failed removal: the others still run, then the step fails naming it",
			map[string]string{"runner-name-prefix": "vm-old-", "max-removals": "3"},
			func(s *ghsim.Server) []ghsim.Fault { return []ghsim.Fault{nil, nil, forbidden(s)} }, 1,
			[]string{"vm-old-2"}, 129, []string{"vm-old-1", "vm-live"},
			`could not remove 1 of the runners to prune from organization octo-org (the others were removed or skipped; the summary lists them): runner "vm-old-1" (id ID) : removing`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newContainer(t)
			c.env[runnertest.InputEnv("kind")] = "prune"
			c.env[runnertest.InputEnv("organization")] = "octo-org"
			ids := map[string]int64{}
			for _, r := range []ghsim.Runner{
				{Name: "vm-old-1", Status: "offline", Labels: []string{"self-hosted", "gpu"}},
				{Name: "vm-live", Status: "online", Labels: []string{"self-hosted", "gpu"}},
				{Name: "vm-busy", Status: "online", Busy: true, Labels: []string{"gpu"}},
				{Name: "vm-took-a-job", Status: "offline", Labels: []string{"gpu"}},
				{Name: "vm-cpu", Status: "offline", Labels: []string{"self-hosted"}},
			} {
				ids[r.Name] = c.sim.AddRunner("orgs/octo-org", r).ID
			}
			for i := range 124 {
				c.sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: fmt.Sprintf("ci-%03d", i), Status: "offline", Labels: []string{"self-hosted"}})
			}
			ids["vm-old-2"] = c.sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: "vm-old-2", Status: "offline", Labels: []string{"gpu"}}).ID // on page 2
			c.sim.Schedule(ids["vm-took-a-job"], ghsim.Offline, ghsim.Busy)
			if tc.faults != nil {
				c.sim.Inject(tc.faults(c.sim)...)
			}
			for k, v := range tc.inputs {
				c.env[runnertest.InputEnv(k)] = v
			}
			c.run()
			if c.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", c.code, tc.code, c.errorAnnotation())
			}
			says := strings.ReplaceAll(tc.says, "(id ID) ", fmt.Sprintf("(id %d)", ids["vm-old-1"]))
			if e := c.errorAnnotation(); !strings.Contains(e, says) || says == "" && e != "" {
				t.Errorf("error %q, want %q", e, says)
			}
			if tc.removed == nil {
				if len(c.outputs) != 0 {
					t.Errorf("outputs %v, want none", c.outputs)
				}
			} else {
				var rs []struct {
					ID   int64  `json:"id"`
					Name string `json:"name"`
				}
				if err := json.Unmarshal([]byte(c.outputs["removed-runners"]), &rs); err != nil {
					t.Fatalf("removed-runners %q: %v", c.outputs["removed-runners"], err)
				}
				got := []string{}
				for _, r := range rs {
					got = append(got, r.Name)
					if ids[r.Name] != r.ID {
						t.Errorf("removed-runners: %s has id %d, want %d", r.Name, r.ID, ids[r.Name])
					}
				}
				if diff := cmp.Diff(tc.removed, got); diff != "" || c.outputs["removed-count"] != strconv.Itoa(len(got)) {
					t.Errorf("removed-count %s; removed-runners (-want +got):\n%s", c.outputs["removed-count"], diff)
				}
			}
			if n := len(c.sim.Requests()); strings.Contains(tc.says, "input") != (n == 0) {
				t.Errorf("%d requests: an input error is refused before any, and only it", n)
			}
			left := names(c.sim.Runners("orgs/octo-org"))
			if len(left) != tc.left {
				t.Errorf("%d runners left, want %d", len(left), tc.left)
			}
			for _, n := range tc.leftOf {
				if !strings.Contains(strings.Join(left, " ")+" ", n+" ") {
					t.Errorf("runner %s was removed", n)
				}
			}
			if tc.code == 0 {
				c.assertStepContract(t, "### Self-hosted runners", adminToken)
			}
			if err := runnertest.CheckSecret(c.stdout, adminToken); err != nil {
				t.Error(err)
			}
		})
	}
}
