package ghsim

// Runners whose state changes over time: a schedule per runner, one state
// per request about it, so that a test (or the demo) plays out a VM that
// boots, takes a job and finishes it, or a runner someone removes mid-wait,
// without a clock.

import "strings"

// RunnerState is what a runner looks like at one request about it (see
// Schedule).
type RunnerState struct {
	Status string // "online" or "offline"
	Busy   bool
	// Gone removes the runner: its ephemeral job is done, or someone
	// removed it.
	Gone bool
}

// Online, Busy, Offline and Gone are the usual states.
var (
	Online  = RunnerState{Status: "online"}
	Busy    = RunnerState{Status: "online", Busy: true}
	Offline = RunnerState{Status: "offline"}
	Gone    = RunnerState{Gone: true}
)

// Schedule makes runner id take the next of states at each request about
// it from now on (a GET of it, a listing that shows it, a DELETE of it),
// before that request is answered; after the last state it stays as it is.
// A schedule replaces any earlier one for the runner.
func (s *Server) Schedule(id int64, states ...RunnerState) {
	s.jit.mu.Lock()
	defer s.jit.mu.Unlock()
	if s.jit.schedules == nil {
		s.jit.schedules = map[int64][]RunnerState{}
	}
	s.jit.schedules[id] = append([]RunnerState(nil), states...)
}

// advance moves run in target to its next scheduled state, and says
// whether it is still registered. The caller holds j.mu.
func (j *jitState) advance(target string, run *Runner) bool {
	next := j.schedules[run.ID]
	if len(next) == 0 {
		return true
	}
	st := next[0]
	j.schedules[run.ID] = next[1:]
	if st.Gone {
		j.unregister(target, run.ID)
		return false
	}
	run.Status, run.Busy = st.Status, st.Busy
	return true
}

// unregister removes runner id from target. The caller holds j.mu.
func (j *jitState) unregister(target string, id int64) {
	k := strings.ToLower(target)
	list := j.runners[k]
	for i, r := range list {
		if r.ID == id {
			j.runners[k] = append(list[:i:i], list[i+1:]...)
			return
		}
	}
}
