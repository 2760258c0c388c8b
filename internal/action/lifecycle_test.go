package action

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// annotations returns the step's ::name:: annotations' messages.
func (h *harness) annotations(name string) []string {
	var got []string
	for _, c := range runnertest.ParseLog(h.stdout.String()) {
		if c.Name == name {
			got = append(got, c.Message)
		}
	}
	return got
}

func runnerNames(rs []ghsim.Runner) []string {
	var n []string
	for _, r := range rs {
		n = append(n, r.Name)
	}
	return n
}

func TestDeleteRunner(t *testing.T) {
	t.Parallel()
	scopes := []struct {
		input map[string]string
		path  string
		url   string
	}{
		{nil, "repos/octo-org/app", "https://ghes.example.com/octo-org/app"},
		{map[string]string{"INPUT_ORGANIZATION": "octo-org"}, "orgs/octo-org", "https://ghes.example.com/octo-org"},
		{map[string]string{"INPUT_ENTERPRISE": "octo-ent"}, "enterprises/octo-ent", "https://ghes.example.com/enterprises/octo-ent"},
	}
	cases := []struct {
		name     string
		by       map[string]string // ID is the id of vm-1
		want     map[string]string
		notice   string
		left     []string
		requests int
	}{
		{"by id", map[string]string{"INPUT_RUNNER-ID": "ID"},
			map[string]string{"deleted": "true", "runner-id": "ID", "runner-name": "vm-1"}, "", []string{"other"}, 2},
		{"by name", map[string]string{"INPUT_RUNNER-NAME": "vm-1"},
			map[string]string{"deleted": "true", "runner-id": "ID", "runner-name": "vm-1"}, "", []string{"other"}, 2},
		{"an id already gone", map[string]string{"INPUT_RUNNER-ID": "987654"},
			map[string]string{"deleted": "false", "runner-id": "987654", "runner-name": ""}, "runner id 987654 is not registered in", []string{"vm-1", "other"}, 2},
		{"a name already gone", map[string]string{"INPUT_RUNNER-NAME": "vm-9"},
			map[string]string{"deleted": "false", "runner-id": "", "runner-name": "vm-9"}, `runner "vm-9" is not registered in`, []string{"vm-1", "other"}, 1},
	}
	for _, sc := range scopes {
		for _, tc := range cases {
			t.Run(sc.path+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t).set(sc.input).set(map[string]string{"INPUT_KIND": "delete-runner"})
				vm := h.sim.AddRunner(sc.path, ghsim.Runner{Name: "vm-1", Status: "offline", Labels: []string{"self-hosted"}})
				h.sim.AddRunner(sc.path, ghsim.Runner{Name: "other", Status: "online", Labels: []string{"self-hosted"}})
				id := strconv.FormatInt(vm.ID, 10)
				for k, v := range tc.by {
					h.env[k] = strings.ReplaceAll(v, "ID", id)
				}
				if code := h.run(); code != 0 {
					t.Fatalf("exit code %d: %q", code, h.errors())
				}
				want := map[string]string{"runner-url": sc.url}
				for k, v := range tc.want {
					want[k] = strings.ReplaceAll(v, "ID", id)
				}
				if diff := cmp.Diff(want, h.outputs()); diff != "" {
					t.Errorf("outputs (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tc.left, runnerNames(h.sim.Runners(sc.path))); diff != "" {
					t.Errorf("runners left (-want +got):\n%s", diff)
				}
				notices := h.annotations("notice")
				switch {
				case tc.notice == "" && len(notices) != 0:
					t.Errorf("notices %q, want none", notices)
				case tc.notice != "" && (len(notices) != 1 || !strings.Contains(notices[0], tc.notice) || !strings.Contains(notices[0], "nothing to remove (deleted=false)")):
					t.Errorf("notices %q, want one saying %q", notices, tc.notice)
				}
				if n := len(h.sim.Requests()); n != tc.requests {
					t.Errorf("API got %d requests, want %d", n, tc.requests)
				}
				if tc.want["deleted"] == "true" && !strings.Contains(runnertest.Render(h.stdout.String(), false), `Removed runner "vm-1" (id `+id+`) from`) {
					t.Errorf("log does not say what was removed:\n%s", h.stdout.String())
				}
				if len(h.sim.Issued()) != 0 {
					t.Error("a token was minted")
				}
			})
		}
	}
}

func TestDeleteRunnerFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		inputs   map[string]string
		requests int
		want     []string
	}{
		{"busy: never removed", map[string]string{"INPUT_RUNNER-NAME": "busy-1"}, 1,
			[]string{`runner "busy-1" (id `, "online, busy) in repository octo-org/app is running a job, so it was not removed", "Let the job finish or cancel it"}},
		{"bad input, before any request", map[string]string{"INPUT_RUNNER-ID": "busy-1"}, 0,
			[]string{`input runner-id "busy-1" is not a runner id`}},
		{"no runner named", nil, 0, []string{"kind delete-runner needs input runner-id"}},
		{"a credential without admin rights", map[string]string{"INPUT_RUNNER-NAME": "busy-1", "INPUT_TOKEN": fineGrainedToken}, 1,
			[]string{"403", "Administration: write"}},
		{"a target it cannot see", map[string]string{"INPUT_RUNNER-ID": "5", "INPUT_ORGANIZATION": "no-such-org"}, 2,
			[]string{"404", "does not exist or this credential cannot see it"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t).set(map[string]string{"INPUT_KIND": "delete-runner"}).set(tc.inputs)
			h.sim.AddRunner("repos/octo-org/app", ghsim.Runner{Name: "busy-1", Status: "online", Busy: true, Labels: []string{"self-hosted"}})
			assertFailed(t, h, tc.requests, tc.want)
			if errs := h.errors(); len(errs) == 1 && !strings.Contains(h.stdout.String(), "title=Runner not removed") {
				t.Errorf("the error's title is not \"Runner not removed\": %s", h.stdout.String())
			}
			if diff := cmp.Diff([]string{"busy-1"}, runnerNames(h.sim.Runners("repos/octo-org/app"))); diff != "" {
				t.Errorf("runners left (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeleteRunnerWithAnApp: the app's token is narrowed to the target's
// runner permission, the runner is removed, and the token revoked.
func TestDeleteRunnerWithAnApp(t *testing.T) {
	t.Parallel()
	h := newAppHarness(t).set(map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-NAME": "vm-1", "INPUT_ORGANIZATION": "octo-org"})
	h.sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: "vm-1", Status: "offline", Labels: []string{"self-hosted"}})
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	if out := h.outputs(); out["deleted"] != "true" || out["installation-id"] != installationID {
		t.Errorf("outputs %v, want deleted=true and the installation id", out)
	}
	if left := h.sim.Runners("orgs/octo-org"); len(left) != 0 {
		t.Errorf("runners left: %v", runnerNames(left))
	}
	tokens := h.sim.AppTokens()
	if len(tokens) != 1 || !tokens[0].Revoked {
		t.Errorf("installation tokens %+v, want one, revoked", tokens)
	}
	assertAppSecretsSafe(t, h)
}

func TestRunnerPlatform(t *testing.T) {
	t.Parallel()
	const file = "actions-runner-linux-arm64-2.321.0.tar.gz"
	for _, kind := range []string{"registration", "jit"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t).set(map[string]string{"INPUT_KIND": kind, "INPUT_RUNNER-PLATFORM": "linux-arm64"})
			var sum string
			for _, d := range ghsim.DefaultDownloads(ghsim.RunnerVersion) {
				if d.Filename == file {
					sum = d.SHA256
				}
			}
			if code := h.run(); code != 0 {
				t.Fatalf("exit code %d: %q", code, h.errors())
			}
			out := h.outputs()
			want := map[string]string{
				"runner-download-url":    "https://github.com/actions/runner/releases/download/v2.321.0/" + file,
				"runner-download-sha256": sum,
				"runner-version":         "2.321.0",
			}
			got := map[string]string{}
			for k := range want {
				got[k] = out[k]
			}
			if diff := cmp.Diff(want, got); diff != "" || len(sum) != 64 {
				t.Errorf("download outputs (-want +got):\n%s", diff)
			}
			if out["token"] == "" && out["jit-config"] == "" {
				t.Errorf("no credential among the outputs")
			}
			if len(h.annotations("warning")) != 0 {
				t.Errorf("warnings: %q", h.annotations("warning"))
			}
			// The download's rows continue the summary's one table.
			summary := h.file(h.sumFile)
			if !strings.Contains(summary, "|\n| Runner download (linux-arm64) | `https://github.com/actions/runner/releases/download/v2.321.0/"+file+"` |\n| SHA-256 | "+sum+" |") {
				t.Errorf("the step summary does not show the download in its table:\n%s", summary)
			}
		})
	}
}

func TestRunnerPlatformWithoutChecksum(t *testing.T) {
	t.Parallel()
	h := newHarness(t).set(map[string]string{"INPUT_RUNNER-PLATFORM": "linux-x64"})
	h.sim.SetDownloads([]ghsim.Download{{OS: "linux", Architecture: "x64", Filename: "actions-runner-linux-x64-2.311.0.tar.gz", DownloadURL: "https://ghes.example.com/r.tar.gz"}})
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	out := h.outputs()
	if v, ok := out["runner-download-sha256"]; !ok || v != "" || out["runner-version"] != "2.311.0" || out["runner-download-url"] != "https://ghes.example.com/r.tar.gz" {
		t.Errorf("outputs %v, want an empty runner-download-sha256, the version and the URL", out)
	}
	if w := h.annotations("warning"); len(w) != 1 || !strings.Contains(w[0], "no SHA-256 checksum for the linux-x64 runner download") {
		t.Errorf("warnings %q, want one about the missing checksum", w)
	}
}

// TestRunnerPlatformAllOrNothing: when the download cannot be found, the
// step fails with no outputs, and a JIT runner it registered is removed.
func TestRunnerPlatformAllOrNothing(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"registration", "jit"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t).set(map[string]string{"INPUT_KIND": kind, "INPUT_RUNNER-PLATFORM": "osx-arm64"})
			h.sim.SetDownloads([]ghsim.Download{
				{OS: "linux", Architecture: "x64", Filename: "a.tar.gz", DownloadURL: "https://ghes.example.com/a.tar.gz"},
				{OS: "win", Architecture: "x64", Filename: "b.zip", DownloadURL: "https://ghes.example.com/b.zip"},
			})
			requests := 2 // the mint and the downloads list
			if kind == "jit" {
				requests = 3 // the removal as well, by the id GitHub's answer gave: no look-up
			}
			assertFailed(t, h, requests, []string{"repository octo-org/app offers no osx-arm64 runner; it offers linux-x64, win-x64: set runner-platform to one of them"})
			if left := h.sim.Runners("repos/octo-org/app"); len(left) != 0 {
				t.Errorf("runners left registered: %v", runnerNames(left))
			}
		})
	}
}

// TestRunnerPlatformConcurrent: the downloads list is asked for while the
// mint is in flight, not after it. Each request waits until the other has
// arrived; one after the other, neither would ever see the other.
func TestRunnerPlatformConcurrent(t *testing.T) {
	t.Parallel()
	h := newHarness(t).set(map[string]string{"INPUT_RUNNER-PLATFORM": "linux-x64"})
	together := h.sim.Together(2, 10*time.Second) // a fail-safe against a hang, not a measure
	if code := h.run(); code != 0 {
		t.Fatalf("exit code %d: %q", code, h.errors())
	}
	if !together() || len(h.sim.Requests()) != 2 {
		t.Errorf("the mint and the downloads list were not in flight together (%d requests)", len(h.sim.Requests()))
	}
}

// TestDeleteRunnerCancelled: cancelled while the removal is in flight, the
// step cannot know whether GitHub acted, and says so.
func TestDeleteRunnerCancelled(t *testing.T) {
	t.Parallel()
	h := newHarness(t).set(map[string]string{"INPUT_KIND": "delete-runner", "INPUT_RUNNER-NAME": "vm-1"})
	h.sim.AddRunner("repos/octo-org/app", ghsim.Runner{Name: "vm-1", Status: "offline", Labels: []string{"self-hosted"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.sim.Inject(nil, func(w http.ResponseWriter, r *http.Request) bool {
		cancel()
		return ghsim.Hang()(w, r)
	})
	if code := Main(ctx, h.processEnv()); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], "cancelled before the runner's removal was confirmed") {
		t.Errorf("errors = %q", e)
	}
	if !strings.Contains(h.stdout.String(), "title=Runner not removed") || h.file(h.outFile) != "" {
		t.Errorf("want the error titled \"Runner not removed\" and no outputs:\n%s", h.stdout.String())
	}
}

// TestDeleteRunnerReportsARemovalThatHappened: once the runner is removed,
// trouble afterwards (an output file that cannot be written, a redirect
// after the fact) is a warning on a step that says what it did; and a
// removal a redirect turned into a GET is never reported as done.
func TestDeleteRunnerReportsARemovalThatHappened(t *testing.T) {
	t.Parallel()
	t.Run("outputs cannot be written", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t).set(map[string]string{"INPUT_KIND": "delete-runner", "INPUT_ORGANIZATION": "octo-org", "INPUT_RUNNER-NAME": "vm-1",
			"GITHUB_OUTPUT": t.TempDir()}) // a directory: every write fails
		h.sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: "vm-1", Status: "offline", Labels: []string{"self-hosted"}})
		if code := h.run(); code != 0 {
			t.Fatalf("exit code %d: %q", code, h.errors())
		}
		if w := h.annotations("warning"); len(w) != 1 || !strings.Contains(w[0], "writing outputs to GITHUB_OUTPUT") {
			t.Errorf("warnings %q, want one about the outputs", w)
		}
		if !strings.Contains(runnertest.Render(h.stdout.String(), false), `Removed runner "vm-1"`) {
			t.Errorf("log does not say the runner was removed:\n%s", h.stdout.String())
		}
		if left := h.sim.Runners("orgs/octo-org"); len(left) != 0 {
			t.Errorf("runners left: %v", runnerNames(left))
		}
	})
	t.Run("a redirect to a login page is no removal", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t).set(map[string]string{"INPUT_KIND": "delete-runner", "INPUT_ORGANIZATION": "octo-org", "INPUT_RUNNER-NAME": "vm-1"})
		vm := h.sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: "vm-1", Status: "offline", Labels: []string{"self-hosted"}})
		h.sim.Wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodDelete:
					http.Redirect(w, r, "/login", http.StatusFound)
				case r.URL.Path == "/login":
					w.WriteHeader(http.StatusOK)
				default:
					next.ServeHTTP(w, r)
				}
			})
		})
		if code := h.run(); code != 1 {
			t.Fatalf("exit code %d, want 1", code)
		}
		if e := h.errors(); len(e) != 1 || !strings.Contains(e[0], "not confirmed") {
			t.Errorf("errors %q, want one saying the removal was not confirmed", e)
		}
		if out := h.outputs(); out["deleted"] == "true" {
			t.Errorf("outputs %v", out)
		}
		if left := h.sim.Runners("orgs/octo-org"); len(left) != 1 || left[0].ID != vm.ID {
			t.Errorf("runners left %v, want vm-1 still registered", runnerNames(left))
		}
	})
}
