package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// lifecycleSteps is the workflow -lifecycle plays, for organization
// octo-org: each step's title and inputs (RUNNER_ID is the jit step's
// runner-id output), and what happens on the simulator after it.
var lifecycleSteps = []struct {
	title  string
	inputs map[string]string
	then   string
}{
	{"provision: register a just-in-time runner", map[string]string{"kind": "jit", "runner-labels": "self-hosted,linux,vm-demo"},
		"The machine boots and starts the runner: the simulator brings it online at the next step's second look."},
	{"wait until the runner is online", map[string]string{"kind": "wait", "runner-id": "RUNNER_ID", "wait-for": "online", "timeout": "10m"},
		"The build job runs on the runner; being ephemeral, the runner removes itself after it: the simulator makes it busy, then gone."},
	{"after the build: wait until the runner is gone", map[string]string{"kind": "wait", "runner-id": "RUNNER_ID", "wait-for": "gone", "timeout": "10m"}, ""},
	{"prune the stale runners that earlier runs left behind", map[string]string{"kind": "prune", "runner-name-prefix": "stale-vm-"}, ""},
}

// runLifecycle runs lifecycleSteps in turn against sim, each as its own
// step, stopping at the first that fails.
func runLifecycle(ctx context.Context, w io.Writer, binary, dir string, sim *ghsim.Server, base map[string]string, token string, debug bool) (int, error) {
	const org = "orgs/octo-org"
	sim.AddRunner(org, ghsim.Runner{Name: "stale-vm-1", Status: "offline", Labels: []string{"self-hosted"}})
	sim.AddRunner(org, ghsim.Runner{Name: "stale-vm-2", Status: "offline", Labels: []string{"self-hosted"}})
	sim.AddRunner(org, ghsim.Runner{Name: "stale-vm-3", Status: "online", Labels: []string{"self-hosted"}})
	fmt.Fprintf(w, "Runners in organization octo-org: %s\n", runnerList(sim.Runners(org)))
	var runnerID int64
	for i, st := range lifecycleSteps {
		section(w, fmt.Sprintf("Step %d of %d: %s", i+1, len(lifecycleSteps), st.title))
		sd := filepath.Join(dir, fmt.Sprintf("step-%d", i+1))
		if err := os.MkdirAll(sd, 0o755); err != nil {
			return 0, err
		}
		step, err := runnertest.NewStep(sd)
		if err != nil {
			return 0, err
		}
		for _, k := range []string{"SSL_CERT_FILE", "GITHUB_API_URL", "GITHUB_SERVER_URL"} {
			step.Env[k] = base[k]
		}
		step.SetInput("token", token)
		step.SetInput("organization", "octo-org")
		step.SetInput("api-url", sim.URL())
		for k, v := range st.inputs {
			step.SetInput(k, strings.ReplaceAll(v, "RUNNER_ID", strconv.FormatInt(runnerID, 10)))
		}
		code, outputs, err := runStep(ctx, w, binary, step, debug, token)
		if err != nil || code != 0 {
			return code, err
		}
		if id, err := strconv.ParseInt(outputs["runner-id"], 10, 64); err == nil && runnerID == 0 {
			runnerID = id
		}
		switch i {
		case 0:
			sim.Schedule(runnerID, ghsim.Offline, ghsim.Online)
		case 1:
			sim.Schedule(runnerID, ghsim.Busy, ghsim.Gone)
		}
		if st.then != "" {
			fmt.Fprintf(w, "\n%s\n", st.then)
		}
	}
	fmt.Fprintf(w, "\nRunners left in organization octo-org: %s\n", runnerList(sim.Runners(org)))
	return 0, nil
}

func runnerList(rs []ghsim.Runner) string {
	var s []string
	for _, r := range rs {
		busy := "idle"
		if r.Busy {
			busy = "busy"
		}
		s = append(s, fmt.Sprintf("%s (%s, %s)", r.Name, r.Status, busy))
	}
	return strings.Join(s, ", ")
}
