package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

func names(rs []ghsim.Runner) []string {
	var n []string
	for _, r := range rs {
		n = append(n, r.Name)
	}
	return n
}

func (c *container) annotations(name string) []string {
	var got []string
	for _, l := range runnertest.ParseLog(c.stdout) {
		if l.Name == name {
			got = append(got, l.Message)
		}
	}
	return got
}

// TestContainerDeletesRunner: kind delete-runner as a clean-up job runs it.
// runAbout runs the step with inputs, where "ID" stands for the runner's
// id, checks its exit code, and compares its outputs with want (nil: none),
// in which "ID" stands for the id too and the organization's runner-url is
// implied.
func (c *container) runAbout(t *testing.T, id string, inputs map[string]string, code int, want map[string]string) {
	t.Helper()
	for k, v := range inputs {
		c.env[runnertest.InputEnv(k)] = strings.ReplaceAll(v, "ID", id)
	}
	c.run()
	if c.code != code {
		t.Fatalf("exit %d, want %d: %s", c.code, code, c.errorAnnotation())
	}
	all := map[string]string{}
	if want != nil {
		all["runner-url"] = strings.TrimSuffix(c.sim.URL(), "/api/v3") + "/octo-org"
		for k, v := range want {
			all[k] = strings.ReplaceAll(v, "ID", id)
		}
	}
	got := c.outputs
	if got == nil {
		got = map[string]string{}
	}
	if diff := cmp.Diff(all, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

func TestContainerDeletesRunner(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		inputs map[string]string // ID: vm-1's id
		code   int
		// want: the outputs (nil: none), what is left, requests, and a
		// notice or the error's words.
		want     map[string]string
		left     []string
		requests int
		says     string
	}{
		{"by id", map[string]string{"runner-id": "ID"}, 0,
			map[string]string{"deleted": "true", "runner-id": "ID", "runner-name": "vm-1"}, []string{"busy-1"}, 2, ""},
		{"by name", map[string]string{"runner-name": "vm-1"}, 0,
			map[string]string{"deleted": "true", "runner-id": "ID", "runner-name": "vm-1"}, []string{"busy-1"}, 2, ""},
		{"already gone", map[string]string{"runner-id": "424242"}, 0,
			map[string]string{"deleted": "false", "runner-id": "424242", "runner-name": ""}, []string{"vm-1", "busy-1"}, 2,
			"runner id 424242 is not registered in organization octo-org: nothing to remove (deleted=false)."},
		{"busy", map[string]string{"runner-name": "busy-1"}, 1, nil, []string{"vm-1", "busy-1"}, 1,
			`runner "busy-1" (id `},
		{"bad input: no request at all", map[string]string{"runner-id": "vm-1"}, 1, nil, []string{"vm-1", "busy-1"}, 0,
			`input runner-id "vm-1" is not a runner id`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newContainer(t)
			c.env[runnertest.InputEnv("kind")] = "delete-runner"
			c.env[runnertest.InputEnv("organization")] = "octo-org"
			vm := c.sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: "vm-1", Status: "offline", Labels: []string{"self-hosted"}})
			c.sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: "busy-1", Status: "online", Busy: true, Labels: []string{"self-hosted"}})
			id := strconv.FormatInt(vm.ID, 10)
			c.runAbout(t, id, tc.inputs, tc.code, tc.want)
			if diff := cmp.Diff(tc.left, names(c.sim.Runners("orgs/octo-org"))); diff != "" {
				t.Errorf("runners left (-want +got):\n%s", diff)
			}
			if n := len(c.sim.Requests()); n != tc.requests {
				t.Errorf("API got %d requests, want %d", n, tc.requests)
			}
			said := strings.Join(c.annotations("notice"), "\n")
			if tc.code != 0 {
				said = c.errorAnnotation()
			}
			if tc.says == "" && said != "" || !strings.Contains(said, tc.says) {
				t.Errorf("notice or error %q, want %q", said, tc.says)
			}
			if tc.code == 0 {
				c.assertStepContract(t, "### Self-hosted runner", adminToken)
			}
			if err := runnertest.CheckSecret(c.stdout, adminToken); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestContainerRunnerDownloads: runner-platform, for each platform GitHub
// names, through the binary.
func TestContainerRunnerDownloads(t *testing.T) {
	t.Parallel()
	for _, p := range config.Platforms {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			c := newContainer(t)
			c.env[runnertest.InputEnv("runner-platform")] = p
			c.run()
			if c.code != 0 {
				t.Fatalf("exit %d: %s", c.code, c.errorAnnotation())
			}
			var want ghsim.Download
			for _, d := range ghsim.DefaultDownloads(ghsim.RunnerVersion) {
				if d.OS+"-"+d.Architecture == p {
					want = d
				}
			}
			got := []string{c.outputs["runner-download-url"], c.outputs["runner-download-sha256"], c.outputs["runner-version"]}
			if diff := cmp.Diff([]string{want.DownloadURL, want.SHA256, ghsim.RunnerVersion}, got); diff != "" || want.SHA256 == "" {
				t.Errorf("download outputs (-want +got):\n%s", diff)
			}
			if c.outputs["token"] == "" || len(c.sim.Requests()) != 2 {
				t.Errorf("token set: %v, %d requests; want a token from 2 requests", c.outputs["token"] != "", len(c.sim.Requests()))
			}
			c.assertStepContract(t, "Runner registration token minted", c.outputs["token"])
		})
	}
}

func TestContainerRunnerDownloadFaults(t *testing.T) {
	t.Parallel()
	t.Run("no checksum", func(t *testing.T) {
		t.Parallel()
		c := newContainer(t)
		c.env[runnertest.InputEnv("runner-platform")] = "linux-x64"
		c.sim.SetDownloads([]ghsim.Download{{OS: "linux", Architecture: "x64", Filename: "actions-runner-linux-x64-2.311.0.tar.gz", DownloadURL: "https://ghes.example.com/r.tar.gz"}})
		c.run()
		if c.code != 0 {
			t.Fatalf("exit %d: %s", c.code, c.errorAnnotation())
		}
		if v, ok := c.outputs["runner-download-sha256"]; !ok || v != "" || c.outputs["runner-version"] != "2.311.0" {
			t.Errorf("outputs %v: want runner-download-sha256 set and empty, runner-version 2.311.0", c.outputs)
		}
		if w := c.annotations("warning"); len(w) != 1 || !strings.Contains(w[0], "no SHA-256 checksum") {
			t.Errorf("warnings %q, want one about the checksum", w)
		}
	})
	t.Run("a platform the server does not offer", func(t *testing.T) {
		t.Parallel()
		c := newContainer(t)
		c.env[runnertest.InputEnv("runner-platform")] = "linux-riscv64"
		c.run()
		if c.code != 1 || len(c.outputs) != 0 {
			t.Fatalf("exit %d, %d outputs; want 1 and none", c.code, len(c.outputs))
		}
		if e := c.errorAnnotation(); !strings.Contains(e, "offers no linux-riscv64 runner; it offers linux-arm, linux-arm64, linux-x64, osx-arm64, osx-x64, win-arm64, win-x64") {
			t.Errorf("error %q does not list what the server offers", e)
		}
	})
	t.Run("in flight with the mint", func(t *testing.T) {
		t.Parallel()
		c := newContainer(t)
		c.env[runnertest.InputEnv("runner-platform")] = "linux-x64"
		together := c.sim.Together(2, 10*time.Second) // a fail-safe against a hang, not a measure
		c.run()
		if c.code != 0 || !together() {
			t.Errorf("exit %d; the mint and the downloads list in flight together: %v", c.code, together())
		}
	})
}
