package action

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// jitHarness is a harness asking for kind jit, in a workflow run.
func jitHarness(t *testing.T, inputs map[string]string) *harness {
	t.Helper()
	h := newHarness(t).set(map[string]string{"INPUT_KIND": "jit", "GITHUB_RUN_ID": "9876543210", "GITHUB_RUN_ATTEMPT": "1"})
	return h.set(inputs)
}

// checkNoConfigLeaks: every config the simulator issued is masked before
// anything else uses it and never written outside its ::add-mask::, and
// never reaches the step summary.
func checkNoConfigLeaks(t *testing.T, h *harness) {
	t.Helper()
	for _, c := range h.sim.JITConfigs() {
		if err := runnertest.CheckSecret(h.stdout.String(), c.Config); err != nil && !strings.Contains(err.Error(), "never masked") {
			t.Errorf("JIT config of runner %d: %v", c.RunnerID, err)
		}
		if strings.Contains(h.file(h.sumFile), c.Config) {
			t.Errorf("the step summary holds the config of runner %d", c.RunnerID)
		}
	}
}

func TestJITEveryScope(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		inputs    map[string]string
		groups    []ghsim.RunnerGroup // for the organization or enterprise
		target    string
		wantName  string // a regexp
		wantURL   string
		wantGroup string
		wantLabel []string
	}{
		{
			name: "repository, defaults", target: "repos/octo-org/app",
			wantName: `^app-9876543210-1-[0-9a-f]{8}$`, wantURL: "https://ghes.example.com/octo-org/app",
			wantGroup: "`Default` (id 1)", wantLabel: []string{"self-hosted"},
		},
		{
			name:   "organization, group by name, given name and labels",
			inputs: map[string]string{"INPUT_ORGANIZATION": "octo-org", "INPUT_RUNNER-NAME": "gpu-7", "INPUT_RUNNER-LABELS": "self-hosted\ngpu, Linux\nGPU", "INPUT_RUNNER-GROUP": "gpu"},
			groups: []ghsim.RunnerGroup{{ID: 1, Name: "Default", Default: true}, {ID: 4, Name: "GPU"}},
			target: "orgs/octo-org", wantName: `^gpu-7$`, wantURL: "https://ghes.example.com/octo-org",
			wantGroup: "`GPU` (id 4)", wantLabel: []string{"self-hosted", "gpu", "Linux"},
		},
		{
			name:   "enterprise, group by id",
			inputs: map[string]string{"INPUT_ENTERPRISE": "octo-ent", "INPUT_RUNNER-GROUP": "9", "INPUT_WORK-FOLDER": "work"},
			groups: []ghsim.RunnerGroup{{ID: 1, Name: "Default", Default: true}, {ID: 9, Name: "ent-linux"}},
			target: "enterprises/octo-ent", wantName: `^app-9876543210-1-[0-9a-f]{8}$`, wantURL: "https://ghes.example.com/enterprises/octo-ent",
			wantGroup: "`ent-linux` (id 9)", wantLabel: []string{"self-hosted"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := jitHarness(t, tc.inputs)
			if tc.groups != nil {
				h.sim.SetRunnerGroups(tc.target, tc.groups...)
			}
			if code := h.run(); code != 0 {
				t.Fatalf("exit code %d, errors: %q", code, h.errors())
			}
			issued := h.sim.JITConfigs()
			if len(issued) != 1 {
				t.Fatalf("simulator minted %d configs, want 1", len(issued))
			}
			out := h.outputs()
			if out["jit-config"] != issued[0].Config {
				t.Errorf("output jit-config differs from the config the simulator issued")
			}
			delete(out, "jit-config")
			want := map[string]string{"runner-id": fmt.Sprint(issued[0].RunnerID), "runner-name": issued[0].Name, "runner-url": tc.wantURL}
			if diff := cmp.Diff(want, out); diff != "" {
				t.Errorf("outputs other than jit-config (-want +got):\n%s", diff)
			}
			if !regexp.MustCompile(tc.wantName).MatchString(issued[0].Name) {
				t.Errorf("runner name %q does not match %s", issued[0].Name, tc.wantName)
			}
			runners := h.sim.Runners(tc.target)
			if len(runners) != 1 {
				t.Fatalf("%d runners registered, want 1", len(runners))
			}
			if diff := cmp.Diff(tc.wantLabel, runners[0].Labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}

			if err := runnertest.CheckSecret(h.stdout.String(), issued[0].Config); err != nil {
				t.Errorf("JIT config: %v", err)
			}
			if err := runnertest.CheckSecret(h.stdout.String(), adminToken); err != nil {
				t.Errorf("token input: %v", err)
			}
			sum := h.file(h.sumFile)
			if strings.Contains(sum, issued[0].Config) || strings.Contains(sum, adminToken) {
				t.Errorf("step summary contains a credential")
			}
			for _, w := range append([]string{"Just-in-time runner registered", "`" + issued[0].Name + "`", fmt.Sprint(issued[0].RunnerID), tc.wantGroup, tc.wantURL}, tc.wantLabel...) {
				if !strings.Contains(sum, w) {
					t.Errorf("step summary lacks %q:\n%s", w, sum)
				}
			}
		})
	}
}

func TestJITMaskingOrder(t *testing.T) {
	t.Parallel()
	h := jitHarness(t, nil)
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	config := h.sim.JITConfigs()[0].Config
	lines := runnertest.ParseLog(h.stdout.String())
	if lines[0].Name != "add-mask" || lines[0].Message != adminToken {
		t.Errorf("first line is not the token input's ::add-mask::")
	}
	// Between the token's mask and the config's: only the line saying what
	// is being minted, and the request's debug line, written when the
	// answer's headers arrive, before its body (the config) is read.
	// Nothing about the minted runner comes before.
	var seen []string
	for _, c := range lines[1:] {
		if c.Name == "add-mask" && c.Message == config {
			break
		}
		seen = append(seen, c.Name+":"+strings.SplitN(c.Message, " ", 2)[0])
	}
	if diff := cmp.Diff([]string{":Minting", "debug:POST"}, seen); diff != "" {
		t.Errorf("lines before the config's mask (-want +got):\n%s", diff)
	}
	rendered := runnertest.Render(h.stdout.String(), false)
	for _, w := range []string{"Minting a just-in-time runner config for repository octo-org/app", "(unique to this run), labels self-hosted, the default runner group", `Registered just-in-time runner "app-9876543210-1-`, "as the environment variable ACTIONS_RUNNER_INPUT_JITCONFIG, never on a command line"} {
		if !strings.Contains(rendered, w) {
			t.Errorf("log lacks %q:\n%s", w, rendered)
		}
	}
}

// TestJITRecoversFromALostAnswer: the answer to the first request is lost
// after GitHub registered the runner; the retry meets the name in use,
// removes this run's runner (its name is unique to this run) and registers
// again. One runner is left: the one whose config the step hands out.
func TestJITRecoversFromALostAnswer(t *testing.T) {
	t.Parallel()
	h := jitHarness(t, nil)
	h.sim.FailJIT(ghsim.LoseResponse)
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	issued := h.sim.JITConfigs()
	runners := h.sim.Runners("repos/octo-org/app")
	if len(issued) != 2 || len(runners) != 1 || runners[0].ID != issued[1].RunnerID {
		t.Fatalf("issued %d configs, %d runners left: want 2 configs and only the second runner", len(issued), len(runners))
	}
	out := h.outputs()
	if out["jit-config"] != issued[1].Config || out["runner-id"] != fmt.Sprint(issued[1].RunnerID) {
		t.Errorf("outputs are not the second config's (runner-id %s)", out["runner-id"])
	}
	rendered := runnertest.Render(h.stdout.String(), false)
	for _, w := range []string{fmt.Sprintf("taken by runner id %d, which an earlier try of this run registered", issued[0].RunnerID), "Removing it and registering again"} {
		if !strings.Contains(rendered, w) {
			t.Errorf("log lacks %q:\n%s", w, rendered)
		}
	}
	checkNoConfigLeaks(t, h)
}

// TestJITGivenNameAfterALostAnswer: with a runner-name the user gave, the
// runner the lost answer registered cannot be told from another job's: the
// step fails, and names it and how to remove it, leaving it registered.
func TestJITGivenNameAfterALostAnswer(t *testing.T) {
	t.Parallel()
	h := jitHarness(t, map[string]string{"INPUT_RUNNER-NAME": "build-7"})
	h.sim.FailJIT(ghsim.LoseResponse)
	if code := h.run(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	runners := h.sim.Runners("repos/octo-org/app")
	if len(runners) != 1 {
		t.Fatalf("runners = %+v, want the one registered, left alone", runners)
	}
	errs := h.errors()
	want := fmt.Sprintf("gh api -X DELETE /repos/octo-org/app/actions/runners/%d", runners[0].ID)
	if len(errs) != 1 || !strings.Contains(errs[0], want) || !strings.Contains(errs[0], "its name was given as runner-name, and another job may have registered that name") {
		t.Errorf("errors = %q, want one naming the runner and %q", errs, want)
	}
	if len(h.outputs()) != 0 {
		t.Errorf("outputs set: %v", h.outputs())
	}
	checkNoConfigLeaks(t, h)
}

func TestJITFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		inputs       map[string]string
		setup        func(*ghsim.Server)
		wantRequests int
		want         []string
	}{
		{
			name:   "label parsing: empty entry, space, too many",
			inputs: map[string]string{"INPUT_RUNNER-LABELS": "a,,b c"},
			want:   []string{"inputs need fixing", "input runner-labels: entry 2 is empty", `entry 3 "b c" contains a space`},
		},
		{
			name:   "jit inputs with another kind",
			inputs: map[string]string{"INPUT_KIND": "registration", "INPUT_RUNNER-GROUP": "gpu"},
			want:   []string{"input runner-group applies only to kind jit: remove it, or set kind: jit"},
		},
		{
			name:   "a group for a repository",
			inputs: map[string]string{"INPUT_RUNNER-GROUP": "gpu"},
			want:   []string{`input runner-group "gpu": a repository's self-hosted runners are always in its default runner group`},
		},
		{
			name:   "unknown group",
			inputs: map[string]string{"INPUT_ORGANIZATION": "octo-org", "INPUT_RUNNER-GROUP": "arm"},
			setup: func(s *ghsim.Server) {
				s.SetRunnerGroups("orgs/octo-org", ghsim.RunnerGroup{ID: 1, Name: "Default", Default: true}, ghsim.RunnerGroup{ID: 2, Name: "linux"})
			},
			wantRequests: 1,
			want:         []string{"could not mint a JIT runner config for organization octo-org", `has no runner group "arm"`, `one of: "Default" (id 1), "linux" (id 2)`},
		},
		{
			name:   "name in use by another runner",
			inputs: map[string]string{"INPUT_RUNNER-NAME": "build-7"},
			setup: func(s *ghsim.Server) {
				s.AddRunner("repos/octo-org/app", ghsim.Runner{Name: "build-7", Status: "online"})
			},
			wantRequests: 1,
			want:         []string{`runner name "build-7" is already in use in repository octo-org/app by runner id `, "(online, idle)", "Choose another runner-name", "never removes a runner it did not register"},
		},
		{
			name:         "fine-grained token without Administration",
			inputs:       map[string]string{"INPUT_TOKEN": fineGrainedToken},
			wantRequests: 1,
			want:         []string{"403 Forbidden", `"Resource not accessible by personal access token"`, `"Administration: write"`, "GITHUB_TOKEN can never mint"},
		},
		{
			name: "422 from GitHub",
			setup: func(s *ghsim.Server) {
				s.Wrap(respond(422, `{"message":"Validation Failed","errors":[{"resource":"Runner","field":"labels","code":"invalid","message":"Label is reserved"}]}`))
			},
			wantRequests: 1,
			want:         []string{"422 Unprocessable Entity", `"Validation Failed" (Label is reserved)`, "[request ID ABCD:1234:5678:9ABC:DEF0]", "GitHub refused the runner's settings: check runner-labels"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := jitHarness(t, tc.inputs)
			if tc.setup != nil {
				tc.setup(h.sim)
			}
			before := h.sim.Runners("repos/octo-org/app")
			assertFailed(t, h, tc.wantRequests, tc.want)
			checkNoConfigLeaks(t, h)
			if diff := cmp.Diff(before, h.sim.Runners("repos/octo-org/app")); diff != "" {
				t.Errorf("runners changed (-before +after):\n%s", diff)
			}
		})
	}
}
