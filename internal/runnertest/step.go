package runnertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Step is the environment the runner gives a container action's step: the
// file-command files and the variables that name them, HOME, CI, and the
// inputs. Env holds exactly what the process gets; nothing is inherited.
type Step struct {
	Dir string
	Env map[string]string
}

// fileCommands are the files the runner creates for each step.
var fileCommands = map[string]string{
	"GITHUB_OUTPUT":       "set_output",
	"GITHUB_STEP_SUMMARY": "step_summary",
	"GITHUB_ENV":          "set_env",
	"GITHUB_PATH":         "add_path",
	"GITHUB_STATE":        "save_state",
}

// NewStep lays out a step under dir (which must exist).
func NewStep(dir string) (*Step, error) {
	s := &Step{Dir: dir, Env: map[string]string{
		"HOME":              filepath.Join(dir, "home"),
		"CI":                "true",
		"GITHUB_ACTIONS":    "true",
		"GITHUB_WORKSPACE":  filepath.Join(dir, "workspace"),
		"RUNNER_OS":         "Linux",
		"RUNNER_TEMP":       filepath.Join(dir, "temp"),
		"GITHUB_REPOSITORY": "octo-org/app",
		"GITHUB_API_URL":    "https://api.github.com",
		"GITHUB_SERVER_URL": "https://github.com",
	}}
	for _, d := range []string{"home", "workspace", "temp", "file_commands"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	for env, prefix := range fileCommands {
		p := filepath.Join(dir, "file_commands", prefix+"_6f1b2c3d")
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return nil, err
		}
		s.Env[env] = p
	}
	return s, nil
}

// InputEnv is the variable the runner passes input name in: upper case,
// spaces made underscores, hyphens kept (api-url is INPUT_API-URL).
func InputEnv(name string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
}

// SetInput sets input name; "" passes it empty, as the runner does for a
// declared input the workflow left out.
func (s *Step) SetInput(name, value string) { s.Env[InputEnv(name)] = value }

// Command runs binary as the step's container would: with exactly s.Env, in
// the workspace.
func (s *Step) Command(ctx context.Context, binary string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, binary)
	cmd.Dir = s.Env["GITHUB_WORKSPACE"]
	cmd.Env = make([]string, 0, len(s.Env))
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// Outputs reads GITHUB_OUTPUT as the runner does after the step.
func (s *Step) Outputs() (map[string]string, error) {
	b, err := os.ReadFile(s.Env["GITHUB_OUTPUT"])
	if err != nil {
		return nil, err
	}
	out, err := ParseFileCommand(string(b))
	if err != nil {
		return nil, fmt.Errorf("GITHUB_OUTPUT: %w", err)
	}
	return out, nil
}

// Summary is what the step added to GITHUB_STEP_SUMMARY.
func (s *Step) Summary() (string, error) {
	b, err := os.ReadFile(s.Env["GITHUB_STEP_SUMMARY"])
	return string(b), err
}
