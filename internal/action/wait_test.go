package action

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// requestLines is each request the simulator got, as "METHOD path?query"
// with the simulator's base path left out and ID for vm-1's id.
func requestLines(sim *ghsim.Server, id int64) []string {
	var got []string
	for _, r := range sim.Requests() {
		l := r.Method + " " + strings.TrimPrefix(r.Path, sim.BasePath)
		if r.Query != "" {
			l += "?" + r.Query
		}
		got = append(got, strings.ReplaceAll(l, strconv.FormatInt(id, 10), "ID"))
	}
	return got
}

// TestWait: kind wait on the step's clock, against runners whose state the
// simulator changes at each look.
func TestWait(t *testing.T) {
	t.Parallel()
	const (
		get  = "GET /repos/octo-org/app/actions/runners/ID"
		byNm = "GET /repos/octo-org/app/actions/runners?name=vm-1&page=1&per_page=100"
		list = "GET /repos/octo-org/app/actions/runners?per_page=1"
	)
	cases := []struct {
		name     string
		inputs   map[string]string // ID: vm-1's id
		schedule []ghsim.RunnerState
		want     map[string]string
		log      []string // the progress lines, in order
		requests []string
		left     []string
	}{
		{"online, by id", map[string]string{"INPUT_RUNNER-ID": "ID", "INPUT_WAIT-FOR": "online"},
			[]ghsim.RunnerState{ghsim.Offline, ghsim.Offline, ghsim.Busy},
			map[string]string{"runner-id": "ID", "runner-name": "vm-1", "runner-status": "online", "runner-busy": "true"},
			[]string{`Runner "vm-1" (id ID) is offline, idle`, `Runner "vm-1" (id ID) is online, busy`, `Runner "vm-1" (id ID) is online, busy, as waited for, after 4s.`},
			[]string{get, get, get}, []string{"vm-1", "other"}},
		{"idle, by name: found once through the list", map[string]string{"INPUT_RUNNER-NAME": "VM-1", "INPUT_WAIT-FOR": "idle"},
			[]ghsim.RunnerState{ghsim.Offline, ghsim.Busy, ghsim.Busy, ghsim.Busy, ghsim.Online},
			map[string]string{"runner-id": "ID", "runner-name": "vm-1", "runner-status": "online", "runner-busy": "false"},
			[]string{`Runner "vm-1" (id ID) is offline, idle`, `Runner "vm-1" (id ID) is online, busy`, `Runner "vm-1" (id ID) is online, idle`},
			[]string{strings.ReplaceAll(byNm, "vm-1", "VM-1"), get, get, get, get}, []string{"vm-1", "other"}},
		{"gone: a 404 confirmed by the list", map[string]string{"INPUT_RUNNER-ID": "ID", "INPUT_WAIT-FOR": "gone"},
			[]ghsim.RunnerState{ghsim.Busy, ghsim.Gone},
			map[string]string{"runner-id": "ID", "runner-name": "vm-1", "runner-status": "gone", "runner-busy": "false"},
			[]string{`Runner "vm-1" (id ID) is online, busy`, `Runner "vm-1" (id ID) is gone from repository octo-org/app, as waited for, after 1.6s.`},
			[]string{get, get, list}, []string{"other"}},
		{"gone: a name not registered is gone at once", map[string]string{"INPUT_RUNNER-NAME": "vm-9", "INPUT_WAIT-FOR": "gone"}, nil,
			map[string]string{"runner-id": "", "runner-name": "vm-9", "runner-status": "gone", "runner-busy": "false"},
			[]string{`Runner "vm-9" is not registered in repository octo-org/app, as waited for.`},
			[]string{strings.ReplaceAll(byNm, "vm-1", "vm-9")}, []string{"vm-1", "other"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t).set(map[string]string{"INPUT_KIND": "wait"})
			h.jitter = 0.2
			vm := h.sim.AddRunner("repos/octo-org/app", ghsim.Runner{Name: "vm-1", Labels: []string{"self-hosted"}})
			h.sim.AddRunner("repos/octo-org/app", ghsim.Runner{Name: "other", Status: "online", Labels: []string{"self-hosted"}})
			h.sim.Schedule(vm.ID, tc.schedule...)
			id := strconv.FormatInt(vm.ID, 10)
			for k, v := range tc.inputs {
				h.env[k] = strings.ReplaceAll(v, "ID", id)
			}
			if code := h.run(); code != 0 {
				t.Fatalf("exit code %d: %q", code, h.errors())
			}
			want := map[string]string{"runner-url": "https://ghes.example.com/octo-org/app"}
			for k, v := range tc.want {
				want[k] = strings.ReplaceAll(v, "ID", id)
			}
			if diff := cmp.Diff(want, h.outputs()); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
			lines := make([]string, len(tc.log))
			for i, l := range tc.log {
				lines[i] = strings.ReplaceAll(l, "ID", id)
			}
			log := runnertest.Render(h.stdout.String(), false)
			if l := runnertest.Lacks(log, lines...); l != "" {
				t.Errorf("log lacks %q (in order):\n%s", l, log)
			}
			if n := strings.Count(log, "is online, busy\n"); n > 1 {
				t.Errorf("the log says the same status %d times: a line per change, not per look:\n%s", n, log)
			}
			if diff := cmp.Diff(tc.requests, requestLines(h.sim, vm.ID)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.left, runnerNames(h.sim.Runners("repos/octo-org/app"))); diff != "" {
				t.Errorf("runners left (-want +got):\n%s", diff)
			}
			if sum := h.file(h.sumFile); !strings.Contains(sum, "### Self-hosted runner "+h.env["INPUT_WAIT-FOR"]) || !strings.Contains(sum, "| after | status | busy |") {
				t.Errorf("summary:\n%s", sum)
			}
		})
	}
}

// TestWaitPacing: the looks start near 2s apart, grow to at most 15s, with
// jitter, on the step's clock; the wait ends before a look would pass the
// step's deadline, naming the runner and its last status.
func TestWaitPacing(t *testing.T) {
	t.Parallel()
	for _, jitter := range []float64{0, 0.999} {
		h := newHarness(t).set(map[string]string{"INPUT_KIND": "wait", "INPUT_RUNNER-NAME": "vm-1", "INPUT_WAIT-FOR": "online", "INPUT_TIMEOUT": "2m"})
		h.jitter = jitter
		vm := h.sim.AddRunner("repos/octo-org/app", ghsim.Runner{Name: "vm-1", Labels: []string{"self-hosted"}})
		h.sim.Schedule(vm.ID, ghsim.Offline, ghsim.RunnerState{Status: "offline", Busy: true}, ghsim.Offline)
		if code := h.run(); code != 1 {
			t.Fatalf("exit code %d, want 1", code)
		}
		slept := h.clock.Slept()
		if len(slept) < 8 {
			t.Fatalf("jitter %v: slept %v, want a look every few seconds for 2 minutes", jitter, slept)
		}
		if slept[0] < 1500*time.Millisecond || slept[0] > 2*time.Second {
			t.Errorf("jitter %v: first wait %v, want near 2s", jitter, slept[0])
		}
		for i, d := range slept {
			if d > 15*time.Second || i > 0 && d < slept[i-1] && d < 11*time.Second {
				t.Errorf("jitter %v: wait %d is %v after %v: want growing, up to 15s", jitter, i, d, slept[i-1])
			}
		}
		if last := slept[len(slept)-1]; last < 11*time.Second {
			t.Errorf("jitter %v: last wait %v, want the 15s window", jitter, last)
		}
		if w := h.clock.Waited(); w > 2*time.Minute {
			t.Errorf("jitter %v: waited %v, past the step's deadline", jitter, w)
		}
		if n := len(h.sim.Requests()); n != len(slept)+1 {
			t.Errorf("jitter %v: %d requests for %d waits, want one look after each wait, and one first", jitter, n, len(slept))
		}
		want := `the step's timeout ran out while waiting: runner "vm-1" (id ` + strconv.FormatInt(vm.ID, 10) +
			`) in repository octo-org/app was not online; last seen offline, idle. A wait usually needs a larger timeout than 2m: raise the timeout input, up to 1h`
		if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], want) {
			t.Errorf("jitter %v: errors %q, want one saying %q", jitter, e, want)
		}
		log := runnertest.Render(h.stdout.String(), false)
		if n := strings.Count(log, "is offline, idle"); n != 2 {
			t.Errorf("jitter %v: log says offline %d times, want 2 (each change, not each look):\n%s", jitter, n, log)
		}
		if len(h.outputs()) != 0 || len(h.sim.Runners("repos/octo-org/app")) != 1 {
			t.Errorf("jitter %v: outputs %v, runners %v; want none, and vm-1 left", jitter, h.outputs(), h.sim.Runners("repos/octo-org/app"))
		}
	}
}

func TestWaitFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		inputs   map[string]string
		schedule []ghsim.RunnerState
		faults   func(*ghsim.Server) []ghsim.Fault
		want     string
		requests int
		left     int
	}{
		{"waiting for online, the runner is removed: fails at once",
			map[string]string{"INPUT_RUNNER-ID": "ID", "INPUT_WAIT-FOR": "online"}, []ghsim.RunnerState{ghsim.Offline, ghsim.Gone}, nil,
			`runner "vm-1" (id ID) was removed from repository octo-org/app while this step waited for it to be online (last seen offline, idle)`, 3, 0},
		{"waiting for idle, an ephemeral runner's job ends: fails at once",
			map[string]string{"INPUT_RUNNER-NAME": "vm-1", "INPUT_WAIT-FOR": "idle"}, []ghsim.RunnerState{ghsim.Busy, ghsim.Busy, ghsim.Gone}, nil,
			`was removed from repository octo-org/app while this step waited for it to be idle (last seen online, busy): an ephemeral runner removes itself after its job, or someone removed it; wait-for: gone waits for that`, 4, 0},
		{"a name that never appears", map[string]string{"INPUT_RUNNER-NAME": "vm-9", "INPUT_WAIT-FOR": "online", "INPUT_TIMEOUT": "10s"}, nil, nil,
			`the step's timeout ran out while waiting: runner "vm-9" never appeared in repository octo-org/app. A wait usually needs a larger timeout than 10s`, 4, 1},
		{"an id not registered will never be online: fails at once",
			map[string]string{"INPUT_RUNNER-ID": "987654", "INPUT_WAIT-FOR": "online"}, nil, nil,
			"runner id 987654 is not registered in repository octo-org/app, so it will never be online", 2, 1},
		{"a 404 from a target that cannot be seen is no runner gone",
			map[string]string{"INPUT_RUNNER-ID": "ID", "INPUT_WAIT-FOR": "gone", "INPUT_REPOSITORY": "octo-org/nope"}, nil, nil,
			"404 Not Found", 2, 1},
		{"a rate limit that resets after the deadline is not waited for",
			map[string]string{"INPUT_RUNNER-ID": "ID", "INPUT_WAIT-FOR": "online", "INPUT_TIMEOUT": "10s"}, []ghsim.RunnerState{ghsim.Offline},
			func(s *ghsim.Server) []ghsim.Fault { return []ghsim.Fault{nil, s.SecondaryRateLimit("30")} },
			`(not retried: GitHub asked to wait 30s before trying again, and only`, 2, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t).set(map[string]string{"INPUT_KIND": "wait"})
			vm := h.sim.AddRunner("repos/octo-org/app", ghsim.Runner{Name: "vm-1", Labels: []string{"self-hosted"}})
			h.sim.Schedule(vm.ID, tc.schedule...)
			if tc.faults != nil {
				h.sim.Inject(tc.faults(h.sim)...)
			}
			id := strconv.FormatInt(vm.ID, 10)
			for k, v := range tc.inputs {
				h.env[k] = strings.ReplaceAll(v, "ID", id)
			}
			if code := h.run(); code != 1 {
				t.Fatalf("exit code %d, want 1", code)
			}
			want := strings.ReplaceAll(tc.want, "ID", id)
			if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], want) {
				t.Errorf("errors %q, want one saying %q", e, want)
			}
			if len(h.outputs()) != 0 {
				t.Errorf("outputs %v, want none", h.outputs())
			}
			if n := len(h.sim.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d: %q", n, tc.requests, requestLines(h.sim, vm.ID))
			}
			if n := len(h.sim.Runners("repos/octo-org/app")); n != tc.left {
				t.Errorf("%d runners left, want %d", n, tc.left)
			}
		})
	}
}

// TestWaitRateLimited: a rate limit on a look is the request policy's to
// wait out, on the step's clock; then the wait goes on.
func TestWaitRateLimited(t *testing.T) {
	t.Parallel()
	h := newHarness(t).set(map[string]string{"INPUT_KIND": "wait", "INPUT_RUNNER-NAME": "vm-1", "INPUT_WAIT-FOR": "online"})
	vm := h.sim.AddRunner("repos/octo-org/app", ghsim.Runner{Name: "vm-1", Labels: []string{"self-hosted"}})
	h.sim.Schedule(vm.ID, ghsim.Offline, ghsim.Offline, ghsim.Online)
	h.sim.Inject(nil, h.sim.SecondaryRateLimit("30"))
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	if got := h.outputs()["runner-status"]; got != "online" {
		t.Errorf("runner-status %q, want online", got)
	}
	if w := h.clock.Waited(); w < 30*time.Second {
		t.Errorf("waited %v in all, want at least the 30s GitHub asked for", w)
	}
	if n := len(h.sim.Requests()); n != 4 {
		t.Errorf("%d requests, want 4 (the list, a rate-limited look, its retry, a look)", n)
	}
	if !strings.Contains(runnertest.Render(h.stdout.String(), false), "retrying in 30s") {
		t.Errorf("the log does not say why the step waited:\n%s", h.stdout.String())
	}
}
