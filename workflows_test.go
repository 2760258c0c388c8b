package main

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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
			case strings.HasPrefix(ref, "./.github/workflows/"):
				// A reusable workflow of this repository, at this commit.
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
			Groups    map[string]struct {
				Patterns []string `yaml:"patterns"`
			} `yaml:"groups"`
		} `yaml:"updates"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, u := range cfg.Updates {
		got[u.Ecosystem] = true
		// One pull request per ecosystem: a group that takes everything.
		all := false
		for _, g := range u.Groups {
			all = all || slices.Contains(g.Patterns, "*")
		}
		if !all {
			t.Errorf("dependabot.yml: %s updates are not grouped (a group with patterns [\"*\"])", u.Ecosystem)
		}
	}
	for _, want := range []string{"gomod", "docker", "github-actions"} {
		if !got[want] {
			t.Errorf("dependabot.yml does not update %s", want)
		}
	}
}

// TestReleaseRewritesActionYML: the release swaps action.yml's image line
// for the published image (.ci/pin-image, see TestPinImage); that line must
// be there to swap.
func TestReleaseRewritesActionYML(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n  image: Dockerfile\n"); n != 1 {
		t.Errorf("action.yml has %d lines '  image: Dockerfile', want exactly 1 for the release to rewrite", n)
	}
}

type workflowStep struct {
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
}

type workflowJob struct {
	Needs       any               `yaml:"needs"` // a job id or a list of them
	Uses        string            `yaml:"uses"`
	RunsOn      any               `yaml:"runs-on"`
	Permissions map[string]string `yaml:"permissions"`
	Strategy    struct {
		Matrix map[string]any `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []workflowStep `yaml:"steps"`
}

type workflow struct {
	On          map[string]any `yaml:"on"`
	Permissions any            `yaml:"permissions"`
	Concurrency struct {
		Group            string `yaml:"group"`
		CancelInProgress bool   `yaml:"cancel-in-progress"`
	} `yaml:"concurrency"`
	Jobs map[string]workflowJob `yaml:"jobs"`
}

func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return wf
}

func (j workflowJob) needs() []string {
	switch n := j.Needs.(type) {
	case string:
		return []string{n}
	case []any:
		var out []string
		for _, v := range n {
			out = append(out, v.(string))
		}
		return out
	}
	return nil
}

// after reports whether job runs only after dep succeeded.
func (wf workflow) after(job, dep string) bool {
	for _, n := range wf.Jobs[job].needs() {
		if n == dep || wf.after(n, dep) {
			return true
		}
	}
	return false
}

// jobWith is the one job with a step for which match holds.
func (wf workflow) jobWith(t *testing.T, what string, match func(workflowStep) bool) string {
	t.Helper()
	var found []string
	for id, j := range wf.Jobs {
		for _, s := range j.Steps {
			if match(s) {
				found = append(found, id)
				break
			}
		}
	}
	if len(found) != 1 {
		t.Fatalf("release.yml: jobs %q %s, want exactly one", found, what)
	}
	return found[0]
}

func stepIndex(steps []workflowStep, match func(workflowStep) bool) int {
	return slices.IndexFunc(steps, match)
}

// TestReleaseOrder pins what a release must do, in order: the full CI, then
// the image, then the image run as users run it on both architectures, and
// only then the tags; one release at a time.
func TestReleaseOrder(t *testing.T) {
	t.Parallel()
	if ci := readWorkflow(t, "ci.yml"); !slices.Contains(slices.Collect(maps.Keys(ci.On)), "workflow_call") {
		t.Error("ci.yml is not callable (on: workflow_call), so the release cannot run it first")
	}
	wf := readWorkflow(t, "release.yml")

	if g := wf.Concurrency.Group; g == "" || strings.Contains(g, "${{") || wf.Concurrency.CancelInProgress {
		t.Errorf("concurrency %+v, want a fixed group that never cancels a running release", wf.Concurrency)
	}
	if g := readWorkflow(t, "ci.yml").Concurrency.Group; g == wf.Concurrency.Group {
		t.Errorf("ci.yml and release.yml share the concurrency group %q: the called CI would deadlock", g)
	}

	ci := ""
	for id, j := range wf.Jobs {
		if j.Uses == "./.github/workflows/ci.yml" {
			ci = id
		}
	}
	if ci == "" {
		t.Fatal("release.yml does not run ci.yml")
	}
	build := wf.jobWith(t, "build and push the image", func(s workflowStep) bool {
		return strings.HasPrefix(s.Uses, "docker/build-push-action@") && s.With["push"] == "true"
	})
	test := wf.jobWith(t, "run the action with uses: ./", func(s workflowStep) bool { return s.Uses == "./" })
	publish := wf.jobWith(t, "run .ci/release-publish", func(s workflowStep) bool {
		return strings.Contains(s.Run, ".ci/release-publish ")
	})
	for _, o := range [][2]string{{build, ci}, {test, build}, {publish, test}, {publish, build}} {
		if !wf.after(o[0], o[1]) {
			t.Errorf("job %s does not need %s", o[0], o[1])
		}
	}

	b := wf.Jobs[build]
	s := b.Steps[stepIndex(b.Steps, func(s workflowStep) bool { return strings.HasPrefix(s.Uses, "docker/build-push-action@") })]
	if p := s.With["platforms"]; p != "linux/amd64,linux/arm64" {
		t.Errorf("image platforms %q, want linux/amd64,linux/arm64", p)
	}
	for id, j := range wf.Jobs {
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Uses, "docker/setup-qemu-action@") {
				t.Errorf("job %s sets up QEMU; the Dockerfile cross-compiles", id)
			}
		}
	}

	// The test job runs action.yml as the release commit will have it, on
	// an amd64 and an arm64 runner.
	tj := wf.Jobs[test]
	if tj.RunsOn != "${{ matrix.runner }}" {
		t.Errorf("job %s runs on %v, want ${{ matrix.runner }}", test, tj.RunsOn)
	}
	runners, _ := tj.Strategy.Matrix["runner"].([]any)
	for _, want := range []string{"ubuntu-latest", "ubuntu-24.04-arm"} {
		if !slices.Contains(runners, any(want)) {
			t.Errorf("job %s does not run on %s (matrix %v)", test, want, tj.Strategy.Matrix)
		}
	}
	pin := stepIndex(tj.Steps, func(s workflowStep) bool { return strings.Contains(s.Run, ".ci/pin-image ") })
	use := stepIndex(tj.Steps, func(s workflowStep) bool { return s.Uses == "./" })
	if pin < 0 || pin > use {
		t.Errorf("job %s does not pin action.yml to the pushed image (.ci/pin-image) before uses: ./", test)
	}

	// Only the publish job may write to the repository, and nothing but
	// .ci/release-publish moves a tag or pushes.
	for id, j := range wf.Jobs {
		if j.Permissions["contents"] == "write" && id != publish {
			t.Errorf("job %s has contents: write; only %s moves tags", id, publish)
		}
		for _, s := range j.Steps {
			if strings.Contains(s.Run, "git push") || strings.Contains(s.Run, "git tag") {
				t.Errorf("job %s pushes or tags outside .ci/release-publish: %q", id, s.Run)
			}
		}
	}
	script, err := os.ReadFile(filepath.Join(".ci", "release-publish"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"git tag -fa ", "git push --atomic "} {
		if !strings.Contains(string(script), want) {
			t.Errorf(".ci/release-publish lacks %q", want)
		}
	}
}

// TestCIUsesTheImagesGo: CI builds, tests and scans with the Go of the
// Dockerfile's builder, not go.mod's minimum, and runs govulncheck.
func TestCIUsesTheImagesGo(t *testing.T) {
	t.Parallel()
	needTools(t, "bash", "sed")
	out, err := exec.Command("bash", filepath.Join(".ci", "go-version")).Output()
	if err != nil {
		t.Fatalf(".ci/go-version: %v", err)
	}
	v := strings.TrimSpace(string(out))
	if builder := parseDockerfile(t)[0].args[0]; !strings.HasPrefix(builder, "golang:"+v+"-") {
		t.Errorf(".ci/go-version says %q; the builder is %s", v, builder)
	}
	for _, name := range []string{"ci.yml", "self-test.yml", "release.yml"} {
		for id, j := range readWorkflow(t, name).Jobs {
			for _, s := range j.Steps {
				if strings.HasPrefix(s.Uses, "actions/setup-go@") && s.With["go-version"] != "${{ steps.go.outputs.version }}" {
					t.Errorf("%s: job %s sets up Go %q, want ${{ steps.go.outputs.version }} (from .ci/go-version)", name, id, s.With)
				}
			}
		}
	}
	vuln := regexp.MustCompile(`go run golang\.org/x/vuln/cmd/govulncheck@v\d+\.\d+\.\d+ \./\.\.\.`)
	found := false
	for _, j := range readWorkflow(t, "ci.yml").Jobs {
		for _, s := range j.Steps {
			found = found || vuln.MatchString(s.Run)
		}
	}
	if !found {
		t.Error("ci.yml does not run govulncheck at a pinned version over ./...")
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
