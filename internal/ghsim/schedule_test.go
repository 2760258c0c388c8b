package ghsim

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSchedule: a runner takes one scheduled state per request about it
// (a GET, a listing that shows it, a DELETE), then keeps the last; a Gone
// state unregisters it.
func TestSchedule(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	vm := s.AddRunner("orgs/octo-org", Runner{Name: "vm-1"})
	other := s.AddRunner("orgs/octo-org", Runner{Name: "other", Status: "online"})
	s.Schedule(vm.ID, Offline, Online, Busy, Online, Gone)
	path := fmt.Sprintf("/orgs/octo-org/actions/runners/%d", vm.ID)

	var seen []string
	look := func() {
		status, body, _ := send(t, s, "GET", path, "")
		if status != 200 {
			seen = append(seen, fmt.Sprint(status))
			return
		}
		seen = append(seen, fmt.Sprintf("%v,%v", body["status"], body["busy"]))
	}
	look()
	look()
	// A listing by another name leaves vm-1's schedule alone; one that
	// shows it moves it on.
	send(t, s, "GET", "/orgs/octo-org/actions/runners?name=other", "")
	_, list, _ := send(t, s, "GET", "/orgs/octo-org/actions/runners?name=vm-1", "")
	if rs := list["runners"].([]any); len(rs) != 1 || rs[0].(map[string]any)["busy"] != true {
		t.Errorf("listing shows %v, want vm-1 busy", rs)
	}
	if status, _, _ := send(t, s, "DELETE", path, ""); status != 204 {
		t.Errorf("DELETE of an idle runner: %d, want 204", status)
	}
	if diff := cmp.Diff([]string{"offline,false", "online,false"}, seen); diff != "" {
		t.Errorf("states seen (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Runner{other}, s.Runners("orgs/octo-org")); diff != "" {
		t.Errorf("runners left (-want +got):\n%s", diff)
	}

	// Gone: the runner is unregistered at the request that finds it so.
	again := s.AddRunner("orgs/octo-org", Runner{Name: "vm-2", Status: "online"})
	s.Schedule(again.ID, Busy, Gone)
	if status, body, _ := send(t, s, "GET", fmt.Sprintf("/orgs/octo-org/actions/runners/%d", again.ID), ""); status != 200 || body["busy"] != true {
		t.Errorf("first look: %d %v, want 200 busy", status, body)
	}
	if status, _, _ := send(t, s, "GET", fmt.Sprintf("/orgs/octo-org/actions/runners/%d", again.ID), ""); status != 404 {
		t.Errorf("second look: %d, want 404", status)
	}
	if diff := cmp.Diff([]Runner{other}, s.Runners("orgs/octo-org")); diff != "" {
		t.Errorf("runners left (-want +got):\n%s", diff)
	}
}

// TestScheduledBusyRunnerRefusesRemoval: a runner listed idle that takes a
// job before its DELETE gets GitHub's 422.
func TestScheduledBusyRunnerRefusesRemoval(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	vm := s.AddRunner("repos/octo-org/app", Runner{Name: "vm-1"})
	s.Schedule(vm.ID, Offline, Busy)
	send(t, s, "GET", "/repos/octo-org/app/actions/runners", "")
	status, body, _ := send(t, s, "DELETE", fmt.Sprintf("/repos/octo-org/app/actions/runners/%d", vm.ID), "")
	if status != 422 || body["message"] != `Bad request - Runner "vm-1" is still running a job` {
		t.Errorf("DELETE: %d %v, want 422 still running a job", status, body)
	}
	if n := len(s.Runners("repos/octo-org/app")); n != 1 {
		t.Errorf("%d runners left, want 1", n)
	}
}
