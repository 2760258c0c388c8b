package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestToolsAnswerHelpAlike: every command under cmd/ answers -h with its
// usage on stdout and exit 0, without doing its work, and refuses a flag it
// does not know with exit 2, as Go's flag package does.
func TestToolsAnswerHelpAlike(t *testing.T) {
	t.Parallel()
	tools, err := filepath.Glob(filepath.Join("cmd", "*"))
	if err != nil || len(tools) < 4 {
		t.Fatalf("cmd/ holds %q (%v), want the four tools at least", tools, err)
	}
	dir := t.TempDir()
	for _, tool := range tools {
		t.Run(filepath.Base(tool), func(t *testing.T) {
			t.Parallel()
			bin := filepath.Join(dir, filepath.Base(tool))
			if out, err := exec.Command("go", "build", "-o", bin, "./"+tool).CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			cases := []struct {
				arg        string
				wantCode   int
				wantStdout string
				wantStderr string
			}{
				{"-h", 0, "Usage", ""},
				{"--help", 0, "Usage", ""},
				{"-no-such-flag", 2, "", "flag provided but not defined: -no-such-flag"},
			}
			for _, c := range cases {
				cmd := exec.Command(bin, c.arg)
				cmd.Env = append(os.Environ(), "SIM_TOKEN=") // ghsim would serve with a credential
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				code := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				if code != c.wantCode {
					t.Errorf("%s: exit code %d, want %d\nstderr: %s", c.arg, code, c.wantCode, stderr.String())
				}
				if !strings.Contains(stdout.String(), c.wantStdout) || !strings.Contains(stderr.String(), c.wantStderr) {
					t.Errorf("%s: stdout %q, stderr %q; want %q and %q in them", c.arg, stdout.String(), stderr.String(), c.wantStdout, c.wantStderr)
				}
				if c.wantCode == 0 && stderr.Len() > 0 {
					t.Errorf("%s: stderr %q, want nothing", c.arg, stderr.String())
				}
			}
		})
	}
}
