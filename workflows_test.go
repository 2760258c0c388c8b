package main

import (
	"os"
	"os/exec"
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

// git runs git in dir with a fixed identity and no user configuration, and
// returns its trimmed output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gitCmd(dir, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func gitCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Maintainer", "GIT_AUTHOR_EMAIL=maintainer@example.com",
		"GIT_COMMITTER_NAME=Maintainer", "GIT_COMMITTER_EMAIL=maintainer@example.com")
	return cmd
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s: %v", tool, err)
		}
	}
}

const (
	testImage  = "ghcr.io/runnertoken/runner-token-action"
	testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// TestPinImage: the release runs the action from action.yml as the release
// commit will have it, so the rewrite must give the same action running the
// published image, and refuse what it cannot pin.
func TestPinImage(t *testing.T) {
	t.Parallel()
	needTools(t, "bash", "sed", "grep")
	script, err := filepath.Abs(filepath.Join(".ci", "pin-image"))
	if err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "action.yml")
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	pin := func(image, digest string) (string, error) {
		cmd := exec.Command("bash", script, image, digest)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, bad := range [][2]string{
		{testImage, "sha256:123"},
		{testImage, "latest"},
		{testImage + ":v1", testDigest},
		{"GHCR.io/Owner/Repo", testDigest},
		{testImage + "#x", testDigest},
	} {
		if out, err := pin(bad[0], bad[1]); err == nil {
			t.Errorf("pin-image %s %s succeeded: %s", bad[0], bad[1], out)
		}
	}
	if got, _ := os.ReadFile(path); string(got) != string(orig) {
		t.Fatal("a refused pin-image changed action.yml")
	}

	if out, err := pin(testImage, testDigest); err != nil {
		t.Fatalf("pin-image: %v\n%s", err, out)
	}
	pinned, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var a actionYML
	if err := yaml.Unmarshal(pinned, &a); err != nil {
		t.Fatalf("pinned action.yml: %v", err)
	}
	if want := "docker://" + testImage + "@" + testDigest; a.Runs.Using != "docker" || a.Runs.Image != want {
		t.Errorf("runs = %+v, want docker with image %s", a.Runs, want)
	}
	if strings.Replace(string(pinned), "docker://"+testImage+"@"+testDigest, "Dockerfile", 1) != string(orig) {
		t.Error("pin-image changed more than the image line")
	}
	if out, err := pin(testImage, testDigest); err == nil {
		t.Errorf("pin-image pinned an already pinned action.yml: %s", out)
	}
}

// releaseRepo is an origin with a released v1.0.0 (tags v1.0.0, v1, branch
// releases/v1) and main one commit ahead, tagged v1.1.0 by the maintainer
// with an annotated tag, and a clone checked out the way actions/checkout
// leaves a tag push: at the tagged commit, the tag made lightweight.
func releaseRepo(t *testing.T) (origin, work, source string) {
	t.Helper()
	root := t.TempDir()
	origin, src, work := filepath.Join(root, "origin.git"), filepath.Join(root, "src"), filepath.Join(root, "work")
	git(t, root, "init", "--quiet", "--bare", origin)
	git(t, root, "init", "--quiet", src)
	for _, f := range []string{"action.yml", ".ci/pin-image", ".ci/release-publish"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(src, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, f), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	git(t, src, "add", ".")
	git(t, src, "commit", "--quiet", "-m", "first")
	git(t, src, "tag", "-a", "-m", "v1.0.0", "v1.0.0")
	git(t, src, "tag", "v1")
	git(t, src, "push", "--quiet", origin, "HEAD:refs/heads/main", "HEAD:refs/heads/releases/v1", "v1.0.0", "v1")
	if err := os.WriteFile(filepath.Join(src, "CHANGELOG.md"), []byte("## 1.1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, src, "add", ".")
	git(t, src, "commit", "--quiet", "-m", "second")
	git(t, src, "tag", "-a", "--cleanup=verbatim", "-m", releaseMessage, "v1.1.0")
	git(t, src, "push", "--quiet", origin, "HEAD:refs/heads/main", "v1.1.0")
	source = git(t, src, "rev-parse", "HEAD")

	git(t, root, "clone", "--quiet", origin, work)
	git(t, work, "checkout", "--quiet", "--detach", source)
	git(t, work, "tag", "-f", "v1.1.0", source) // lightweight, as actions/checkout leaves it
	return origin, work, source
}

const releaseMessage = "v1.1.0: faster minting\n\n## Fixed\n- a thing\n"

func refs(t *testing.T, repo string) string {
	t.Helper()
	return git(t, repo, "for-each-ref", "--format=%(refname) %(objectname)")
}

func publish(work string) *exec.Cmd {
	cmd := exec.Command("bash", filepath.Join(work, ".ci", "release-publish"), "v1.1.0", testImage, testDigest)
	cmd.Dir, cmd.Env = work, gitCmd(work).Env
	return cmd
}

// TestReleasePublish pins what the release does with git: the release
// commit on releases/v1, annotated tags keeping the maintainer's message,
// one atomic push.
func TestReleasePublish(t *testing.T) {
	t.Parallel()
	needTools(t, "bash", "git", "sed", "grep", "cut", "mktemp")

	t.Run("moves both tags and the branch to the release commit", func(t *testing.T) {
		t.Parallel()
		origin, work, source := releaseRepo(t)
		if out, err := publish(work).CombinedOutput(); err != nil {
			t.Fatalf("release-publish: %v\n%s", err, out)
		}
		release := git(t, origin, "rev-parse", "refs/heads/releases/v1")
		if parent := git(t, origin, "rev-parse", release+"^"); parent != source {
			t.Errorf("release commit's parent %s, want the tagged commit %s", parent, source)
		}
		if diff := git(t, origin, "diff", "--name-only", source, release); diff != "action.yml" {
			t.Errorf("release commit changes %q, want only action.yml", diff)
		}
		if img := git(t, origin, "show", release+":action.yml"); !strings.Contains(img+"\n", "\n  image: docker://"+testImage+"@"+testDigest+"\n") {
			t.Error("the release commit's action.yml does not run the pushed image by digest")
		}
		for _, tag := range []string{"v1.1.0", "v1"} {
			if typ := git(t, origin, "cat-file", "-t", "refs/tags/"+tag); typ != "tag" {
				t.Errorf("%s is a %s, want an annotated tag", tag, typ)
			}
			if c := git(t, origin, "rev-parse", "refs/tags/"+tag+"^{commit}"); c != release {
				t.Errorf("%s points at %s, want the release commit %s", tag, c, release)
			}
			if msg := git(t, origin, "for-each-ref", "--format=%(contents)", "refs/tags/"+tag); msg != strings.TrimSpace(releaseMessage) {
				t.Errorf("%s's message is %q, want the maintainer's %q", tag, msg, releaseMessage)
			}
		}
		if c := git(t, origin, "rev-parse", "refs/tags/v1.0.0^{commit}"); c == release {
			t.Error("v1.0.0 moved")
		}
	})

	t.Run("a refused ref moves nothing", func(t *testing.T) {
		t.Parallel()
		origin, work, _ := releaseRepo(t)
		// As a tag ruleset without the bypass would: refuse moving v1.
		hook := filepath.Join(origin, "hooks", "update")
		if err := os.WriteFile(hook, []byte("#!/bin/sh\n[ \"$1\" != refs/tags/v1 ] || { echo 'protected tag' >&2; exit 1; }\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		before := refs(t, origin)
		out, err := publish(work).CombinedOutput()
		if err == nil {
			t.Fatalf("release-publish succeeded although v1 is protected:\n%s", out)
		}
		if after := refs(t, origin); after != before {
			t.Errorf("refs moved although the push failed:\nbefore %s\nafter  %s", before, after)
		}
	})

	t.Run("a tag moved during the run is left alone", func(t *testing.T) {
		t.Parallel()
		origin, work, source := releaseRepo(t)
		// The maintainer re-tags v1.1.0 while the release runs.
		git(t, origin, "tag", "-f", "-a", "-m", "retagged", "v1.1.0", source+"^")
		before := refs(t, origin)
		out, err := publish(work).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "no longer points at") {
			t.Fatalf("release-publish: %v\n%s\nwant a refusal", err, out)
		}
		if after := refs(t, origin); after != before {
			t.Errorf("refs moved:\nbefore %s\nafter  %s", before, after)
		}
	})
}
