package action

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/runnertoken/runner-token-action/internal/runnertest"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// FuzzOutputValue: a secret from GitHub either reaches the workflow exactly,
// as the runner reads GITHUB_OUTPUT, alongside the other outputs and nothing
// more, or is refused and no output is written at all; other server text
// reaches it as its safe rendering, always on one line.
func FuzzOutputValue(f *testing.F) {
	for _, s := range []string{"AABF3JGZDX3P5PMEXLND6TS6FCWO6", "a\nother=injected", "a\r\nb", "_GitHubActionsFileCommandDelimeter_",
		"x\n_GitHubActionsFileCommandDelimeter_\nevil<<EOF", "%0A%25", "k=v", "a<<b", "\x00", "\u2028", "é", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		out := filepath.Join(t.TempDir(), "set_output")
		if err := os.WriteFile(out, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		s := newStep(Env{Getenv: func(k string) string { return map[string]string{"GITHUB_OUTPUT": out}[k] }, Stdout: io.Discard})
		name := untrusted.Of(v).String()
		err := s.setOutputs([]output{{"token", v, true}, {"runner-name", name, false}, {"runner-url", "https://github.com/o/r", false}})
		b, rerr := os.ReadFile(out)
		if rerr != nil {
			t.Fatal(rerr)
		}
		if err != nil {
			if len(b) != 0 {
				t.Fatalf("refused, but %d bytes were written", len(b))
			}
			return
		}
		got, perr := runnertest.ParseFileCommand(string(b))
		if perr != nil || len(got) != 3 || got["token"] != v || got["runner-name"] != name || got["runner-url"] != "https://github.com/o/r" {
			t.Fatalf("the runner reads %d outputs (%v), the token differs: %v", len(got), perr, got["token"] != v)
		}
	})
}

// TestFileCommandDelimiter keeps fileCommandDelimiter equal to what the
// library really writes.
func TestFileCommandDelimiter(t *testing.T) {
	out := filepath.Join(t.TempDir(), "set_output")
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := newStep(Env{Getenv: func(k string) string { return map[string]string{"GITHUB_OUTPUT": out}[k] }, Stdout: io.Discard})
	s.gha.SetOutput("k", "v")
	b, _ := os.ReadFile(out)
	if want := "k<<" + fileCommandDelimiter + "\nv\n" + fileCommandDelimiter + "\n"; string(b) != want {
		t.Errorf("the library writes %q, want %q", b, want)
	}
}
