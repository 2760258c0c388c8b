package main

import (
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/runnertoken/runner-token-action/internal/config"
)

type actionYML struct {
	Name        string `yaml:"name"`
	Author      string `yaml:"author"`
	Description string `yaml:"description"`
	Inputs      map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Image string `yaml:"image"`
	} `yaml:"runs"`
}

func readActionYML(t *testing.T) actionYML {
	t.Helper()
	b, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionYML
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

// TestActionYMLMatchesTheCode keeps the metadata and the binary in step: an
// input the code reads but action.yml does not declare would never arrive.
func TestActionYMLMatchesTheCode(t *testing.T) {
	t.Parallel()
	a := readActionYML(t)

	var declared, read []string
	for name, in := range a.Inputs {
		declared = append(declared, name)
		if strings.TrimSpace(in.Description) == "" {
			t.Errorf("input %s has no description", name)
		}
	}
	ct := reflect.TypeOf(config.Inputs{})
	for i := 0; i < ct.NumField(); i++ {
		key, _, _ := strings.Cut(ct.Field(i).Tag.Get("env"), ",")
		if rest, ok := strings.CutPrefix(key, "INPUT_"); ok {
			read = append(read, strings.ToLower(strings.ReplaceAll(rest, "_", "-")))
		}
	}
	sort.Strings(declared)
	sort.Strings(read)
	if diff := cmp.Diff(declared, read); diff != "" {
		t.Errorf("inputs in action.yml (-) vs read by config (+):\n%s", diff)
	}
	// The one list of known inputs, which a misspelt input is told from.
	if diff := cmp.Diff(declared, config.InputNames()); diff != "" {
		t.Errorf("inputs in action.yml (-) vs config.InputNames (+):\n%s", diff)
	}

	// The target's default (the workflow's repository) is applied in code so
	// that setting two targets is detectable.
	for _, name := range []string{"repository", "organization", "enterprise"} {
		if d := a.Inputs[name].Default; d != nil {
			t.Errorf("input %s has default %q in action.yml; keep it empty", name, *d)
		}
	}
	// Inputs for some kinds only are refused with another kind, which only
	// works if the runner does not fill them in with defaults.
	for _, name := range []string{"runner-name", "runner-labels", "runner-group", "work-folder", "runner-id", "runner-platform", "wait-for", "runner-name-prefix", "max-removals", "dry-run"} {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("input %s is not declared", name)
		}
		if d := a.Inputs[name].Default; d != nil {
			t.Errorf("input %s has default %q in action.yml; keep it empty", name, *d)
		}
	}
	if d := a.Inputs["api-url"].Default; d == nil || *d != "${{ github.api_url }}" {
		t.Errorf("api-url default = %v, want ${{ github.api_url }}", d)
	}

	for name, out := range a.Outputs {
		if strings.TrimSpace(out.Description) == "" {
			t.Errorf("output %s has no description", name)
		}
	}
	// The action's name on GitHub is the module path's.
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if want := "module github.com/" + a.Author + "\n"; a.Author == "" || !strings.HasPrefix(string(gomod), want) {
		t.Errorf("author %q is not the action's owner/name from go.mod's module path", a.Author)
	}
	if a.Runs.Using != "docker" || a.Runs.Image != "Dockerfile" {
		t.Errorf("runs = %+v, want docker with image Dockerfile", a.Runs)
	}
}

// TestREADMEExamples: every example names the real action and hands
// credentials to the runner by environment, never on a command line.
func TestREADMEExamples(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	usesRE := regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(\S+)`) // a YAML line
	credFlagRE := regexp.MustCompile(`--(token|jitconfig)[\s=]+["$']`)
	uses := 0
	for i, line := range strings.Split(string(b), "\n") {
		for _, m := range usesRE.FindAllStringSubmatch(line, -1) {
			uses++
			if ref := strings.Trim(m[1], "`"); ref != "./" && !strings.HasPrefix(ref, "runnertoken/runner-token-action@") {
				t.Errorf("README.md:%d: uses: %s, want runnertoken/runner-token-action@…", i+1, ref)
			}
		}
		if credFlagRE.MatchString(line) {
			t.Errorf("README.md:%d passes a credential on a command line: %s", i+1, strings.TrimSpace(line))
		}
	}
	if uses == 0 {
		t.Error("README.md has no uses: examples")
	}
	for _, want := range []string{"ACTIONS_RUNNER_INPUT_TOKEN", "ACTIONS_RUNNER_INPUT_JITCONFIG"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("README.md never shows %s", want)
		}
	}
}

// TestProjectFiles: the files a project people can adopt has.
func TestProjectFiles(t *testing.T) {
	t.Parallel()
	for file, wants := range map[string][]string{
		"LICENSE":            {"Apache License", "Version 2.0, January 2004"},
		"SECURITY.md":        {"Report a vulnerability", "What the action does with credentials", "What it never does"},
		"CONTRIBUTING.md":    {"go run ./cmd/local", "go test -race -shuffle=on ./...", "## The simulator", "## Adding a case", "## Releasing", "bypass"},
		"CHANGELOG.md":       {"Keep a Changelog", "## [Unreleased]", "## [1.0.0]"},
		".github/CODEOWNERS": {"* "},
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Error(err)
			continue
		}
		for _, w := range wants {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s lacks %q", file, w)
			}
		}
	}
}
