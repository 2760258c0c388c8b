package main

// The README's "Test your provisioning workflow without credentials" is a
// job users copy: these tests keep self-test.yml running exactly that job,
// and run the job here, its shell steps with bash and its action steps with
// the built binary, as the runner would.

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

const (
	recipeSection = "## Test your provisioning workflow without credentials"
	ghsimModule   = "github.com/runnertoken/runner-token-action/cmd/ghsim"
	actionAtV1    = "runnertoken/runner-token-action@v1"
)

// ghsimInstall is how the recipe gets the simulator: built first, so that
// the $! it saves is the simulator and not a go run that outlives nothing;
// at a commit until a release is tagged.
var ghsimInstall = regexp.MustCompile(`GOBIN="\$RUNNER_TEMP" go install ` + regexp.QuoteMeta(ghsimModule) + `@([0-9a-f]{40})\n`)

type recipeStep struct {
	Name string            `yaml:"name"`
	ID   string            `yaml:"id"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
	With map[string]string `yaml:"with"`
}

// readmeRecipe is the steps of the one job in the section's YAML example.
func readmeRecipe(t *testing.T) []recipeStep {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n"+recipeSection+"\n")
	if !ok {
		t.Fatalf("README.md has no section %q", recipeSection)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "```yaml\n")
	if !ok {
		t.Fatal("the recipe section has no YAML example")
	}
	block, _, _ = strings.Cut(block, "```")
	var wf struct {
		Jobs map[string]struct {
			Steps []recipeStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(block), &wf); err != nil {
		t.Fatalf("the recipe: %v", err)
	}
	if len(wf.Jobs) != 1 {
		t.Fatalf("the recipe has %d jobs, want 1", len(wf.Jobs))
	}
	for _, j := range wf.Jobs {
		return j.Steps
	}
	return nil
}

// TestSelfTestRunsTheREADMERecipe: self-test.yml runs the README's job step
// for step, with the simulator and the action built from the checkout.
func TestSelfTestRunsTheREADMERecipe(t *testing.T) {
	t.Parallel()
	recipe := readmeRecipe(t)
	if len(recipe) == 0 || !ghsimInstall.MatchString(recipe[0].Run) {
		t.Fatalf("the recipe's first step does not install the simulator as %s", ghsimInstall)
	}
	var want []recipeStep
	for _, s := range recipe {
		if s.Uses == actionAtV1 {
			s.Uses = "./"
		}
		s.Run = regexp.MustCompile(regexp.QuoteMeta(ghsimModule)+`@[0-9a-f]{40}`).ReplaceAllString(s.Run, "./cmd/ghsim")
		want = append(want, s)
	}

	b, err := os.ReadFile(filepath.Join(".github", "workflows", "self-test.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []recipeStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	steps := wf.Jobs["self-test"].Steps
	at := -1
	for i, s := range steps {
		if s.Name == recipe[0].Name {
			at = i
		}
	}
	if at < 0 || at+len(want) > len(steps) {
		t.Fatalf("self-test.yml has no step %q followed by the rest of the recipe", recipe[0].Name)
	}
	if diff := cmp.Diff(want, steps[at:at+len(want)]); diff != "" {
		t.Errorf("self-test.yml differs from the README's recipe (-README +self-test):\n%s", diff)
	}
}

// TestREADMERecipePinsACommitOfThisRepository: the commit the recipe
// installs the simulator from is in this repository's history, so the
// module proxy serves it once main is pushed.
func TestREADMERecipePinsACommitOfThisRepository(t *testing.T) {
	t.Parallel()
	needTools(t, "git")
	m := ghsimInstall.FindStringSubmatch(readmeRecipe(t)[0].Run)
	if m == nil {
		t.Fatalf("the recipe does not install the simulator as %s", ghsimInstall)
	}
	if shallow, err := exec.Command("git", "rev-parse", "--is-shallow-repository").Output(); err != nil || strings.TrimSpace(string(shallow)) != "false" {
		t.Skipf("not a full clone (%v): the history to look in is missing", err)
	}
	if out, err := exec.Command("git", "merge-base", "--is-ancestor", m[1], "HEAD").CombinedOutput(); err != nil {
		t.Errorf("the recipe installs the simulator at %s, which is not in this branch's history: %v %s", m[1], err, out)
	}
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "`…/cmd/ghsim@v1`") {
		t.Error("the README does not say which form to use after the first release (…/cmd/ghsim@v1)")
	}
}

// goShim stands in for the go command in the recipe, which the test runs
// without a network: "go install MODULE/cmd/ghsim@REF" copies the simulator
// built from this checkout into $GOBIN, as go install would put it there.
const goShim = `#!/bin/sh
case "$1 $2" in
"install ` + ghsimModule + `@"*) exec cp "$GHSIM_BUILT" "${GOBIN:?go install without GOBIN puts ghsim elsewhere}/ghsim" ;;
esac
echo "go (test shim): not what the recipe runs: $*" >&2
exit 1
`

// TestREADMERecipeRuns runs the README's job here, as written: the shell
// steps with bash -e (the runner's default shell), with go install giving
// the simulator built from the checkout (goShim) and the simulator
// listening on the loopback interface instead of docker0; the action steps
// with the built binary, its inputs defaulted from action.yml as the
// runner does. Then it stops the simulator as the README says.
func TestREADMERecipeRuns(t *testing.T) {
	t.Parallel()
	needTools(t, "bash", "curl", "jq")
	if ifi, err := net.InterfaceByName("lo"); err != nil || ifi.Flags&net.FlagUp == 0 {
		t.Skip("no loopback interface named lo")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // fail-safe
	defer cancel()
	dir := t.TempDir()
	ghsimBin := filepath.Join(dir, "ghsim")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", ghsimBin, "./cmd/ghsim").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/ghsim: %v\n%s", err, out)
	}
	shimDir := filepath.Join(dir, "shim")
	if err := os.Mkdir(shimDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shimDir, "go"), []byte(goShim), 0o755); err != nil {
		t.Fatal(err)
	}
	job := map[string]string{
		"GITHUB_WORKSPACE": filepath.Join(dir, "workspace"),
		"RUNNER_TEMP":      filepath.Join(dir, "temp"),
		"GITHUB_ENV":       filepath.Join(dir, "github_env"),
		"HOME":             dir,
		"PATH":             shimDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"GHSIM_BUILT":      ghsimBin,
	}
	for _, d := range []string{job["GITHUB_WORKSPACE"], job["RUNNER_TEMP"]} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{} // what steps have added to GITHUB_ENV
	outputs := map[string]map[string]string{}
	inputs := actionInputs(t)

	for n, s := range readmeRecipe(t) {
		stepEnv := map[string]string{}
		for k, v := range s.Env {
			stepEnv[k] = evaluate(t, v, env, outputs)
		}
		switch {
		case s.Run != "":
			script := strings.ReplaceAll(s.Run, "-interface docker0", "-interface lo")
			if err := os.WriteFile(job["GITHUB_ENV"], nil, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(ctx, "bash", "-e", "-c", script)
			// Its own process group, so that the simulator it leaves running
			// in the background is stopped with it when the test ends.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Env = environ(job, env, stepEnv)
			out, err := cmd.CombinedOutput()
			if cmd.Process != nil {
				pgid := cmd.Process.Pid
				t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGTERM) })
			}
			if err != nil {
				t.Fatalf("step %d (%s): %v\n%s", n+1, s.Name, err, out)
			}
			b, err := os.ReadFile(job["GITHUB_ENV"])
			if err != nil {
				t.Fatal(err)
			}
			added, err := runnertest.ParseFileCommand(string(b))
			if err != nil {
				t.Fatalf("step %d: GITHUB_ENV: %v", n+1, err)
			}
			for k, v := range added {
				env[k] = v
			}
		case s.Uses == actionAtV1:
			step, err := runnertest.NewStep(filepath.Join(dir, "step"+s.ID))
			if err != nil {
				t.Fatal(err)
			}
			for name, def := range inputs {
				step.SetInput(name, def)
			}
			for name, v := range s.With {
				if _, ok := inputs[name]; !ok {
					t.Fatalf("step %d: input %s is not in action.yml", n+1, name)
				}
				step.SetInput(name, evaluate(t, v, env, outputs))
			}
			for k, v := range env {
				step.Env[k] = v
			}
			for k, v := range stepEnv {
				step.Env[k] = v
			}
			out, err := step.Command(ctx, binary).CombinedOutput()
			if err != nil {
				t.Fatalf("step %d (%s): %v\n%s", n+1, s.ID, err, runnertest.Render(string(out), false))
			}
			if outputs[s.ID], err = step.Outputs(); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("step %d: neither run: nor uses: %s", n+1, actionAtV1)
		}
	}
	if len(outputs) < 2 {
		t.Errorf("the recipe ran the action %d times, want at least 2", len(outputs))
	}

	// kill "$GHSIM_PID" stops the simulator: the port closes.
	host := strings.TrimPrefix(env["GHSIM_API_URL"], "https://")
	host, _, _ = strings.Cut(host, "/")
	if env["GHSIM_PID"] == "" || host == "" {
		t.Fatalf("GITHUB_ENV lacks GHSIM_PID or GHSIM_API_URL: %q", env)
	}
	stop := exec.CommandContext(ctx, "bash", "-e", "-c", `kill "$GHSIM_PID"`)
	stop.Env = environ(job, env)
	if out, err := stop.CombinedOutput(); err != nil {
		t.Fatalf("kill \"$GHSIM_PID\": %v\n%s", err, out)
	}
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "tcp", host)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("the simulator still listens on %s after kill \"$GHSIM_PID\"", host)
			}
			break
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
}

// actionInputs is every input action.yml declares, with the value the
// runner passes when a workflow leaves it out: its default, or empty (an
// expression such as ${{ github.api_url }} counts as empty here).
func actionInputs(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Inputs map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for name, in := range a.Inputs {
		out[name] = in.Default
		if strings.Contains(in.Default, "${{") {
			out[name] = ""
		}
	}
	return out
}

var expressionRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// evaluate replaces the expressions the recipe uses: env.NAME and
// steps.ID.outputs.NAME.
func evaluate(t *testing.T, s string, env map[string]string, outputs map[string]map[string]string) string {
	t.Helper()
	return expressionRE.ReplaceAllStringFunc(s, func(m string) string {
		expr := expressionRE.FindStringSubmatch(m)[1]
		if name, ok := strings.CutPrefix(expr, "env."); ok {
			return env[name]
		}
		if f := strings.Split(expr, "."); len(f) == 4 && f[0] == "steps" && f[2] == "outputs" {
			return outputs[f[1]][f[3]]
		}
		t.Fatalf("the recipe uses %s, which this test cannot evaluate", m)
		return ""
	})
}

// environ is the job's variables, then GITHUB_ENV's, then the step's own.
func environ(layers ...map[string]string) []string {
	merged := map[string]string{}
	for _, l := range layers {
		for k, v := range l {
			merged[k] = v
		}
	}
	var out []string
	for k, v := range merged {
		out = append(out, k+"="+v)
	}
	return out
}
