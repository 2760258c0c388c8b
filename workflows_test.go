package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func workflowFiles(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(".github/workflows/*.yml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no workflows: %v", err)
	}
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = string(b)
	}
	return out
}

// TestWorkflowsArePinnedAndLeastPrivilege: a tag can be moved to other
// code, a commit SHA cannot; Dependabot reads the version from the comment.
func TestWorkflowsArePinnedAndLeastPrivilege(t *testing.T) {
	t.Parallel()
	usesRE := regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	pinnedRE := regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	versionRE := regexp.MustCompile(`^\s+#\s+v\d+(\.\d+)*\s*$`)
	usesLocal := false
	for path, text := range workflowFiles(t) {
		var wf struct {
			Permissions any            `yaml:"permissions"`
			On          any            `yaml:"on"`
			Jobs        map[string]any `yaml:"jobs"`
		}
		if err := yaml.Unmarshal([]byte(text), &wf); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if wf.Permissions == nil {
			t.Errorf("%s: no top-level permissions: (default token rights are too broad)", path)
		}
		if strings.Contains(text, "pull_request_target") {
			t.Errorf("%s: pull_request_target runs untrusted code with secrets", path)
		}
		for i, line := range strings.Split(text, "\n") {
			m := usesRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			switch ref := m[1]; {
			case ref == "./":
				usesLocal = true
			case strings.HasPrefix(ref, "docker://"):
				if !strings.Contains(ref, "@sha256:") {
					t.Errorf("%s:%d: %s is not pinned by digest", path, i+1, ref)
				}
			case !pinnedRE.MatchString(ref):
				t.Errorf("%s:%d: %s is not pinned by a full commit SHA", path, i+1, ref)
			case !versionRE.MatchString(m[2]):
				t.Errorf("%s:%d: %s lacks its version as a comment (# vX.Y.Z)", path, i+1, ref)
			}
		}
	}
	if !usesLocal {
		t.Error("no workflow uses the action with uses: ./ (the self-test, which also lets actionlint check action.yml)")
	}
}

func TestDependabotCoversEverythingPinned(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(".github/dependabot.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Updates []struct {
			Ecosystem string `yaml:"package-ecosystem"`
		} `yaml:"updates"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, u := range cfg.Updates {
		got[u.Ecosystem] = true
	}
	for _, want := range []string{"gomod", "docker", "github-actions"} {
		if !got[want] {
			t.Errorf("dependabot.yml does not update %s", want)
		}
	}
}

// TestReleaseRewritesActionYML: the release workflow swaps action.yml's
// image line for the published image; that line must be there to swap.
func TestReleaseRewritesActionYML(t *testing.T) {
	t.Parallel()
	release := workflowFiles(t)[filepath.Join(".github", "workflows", "release.yml")]
	if !strings.Contains(release, `s#^  image: Dockerfile\$#  image: docker://`) {
		t.Fatal("release.yml no longer rewrites the image line the way this test expects")
	}
	b, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n  image: Dockerfile\n"); n != 1 {
		t.Errorf("action.yml has %d lines '  image: Dockerfile', want exactly 1 for the release to rewrite", n)
	}
}
