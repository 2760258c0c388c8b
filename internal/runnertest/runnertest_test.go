package runnertest

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sethvargo/go-githubactions"
)

func TestParseFileCommand(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		in      string
		want    map[string]string
		wantErr string
	}{
		{"key=value", "a=1\nb=x=y\n", map[string]string{"a": "1", "b": "x=y"}, ""},
		{"heredoc", "a<<EOF\nline1\nline2\nEOF\n", map[string]string{"a": "line1\nline2"}, ""},
		{"empty heredoc", "a<<EOF\nEOF\n", map[string]string{"a": ""}, ""},
		{"equals before heredoc", "a=b<<c\n", map[string]string{"a": "b<<c"}, ""},
		{"later wins", "a=1\na=2\n", map[string]string{"a": "2"}, ""},
		{"blank lines skipped", "\na=1\n\n", map[string]string{"a": "1"}, ""},
		{"unterminated heredoc", "a<<EOF\nline\n", nil, "matching delimiter not found"},
		{"garbage", "just text\n", nil, "not NAME=VALUE"},
		{"empty name", "=v\n", nil, "empty name"},
		{"empty delimiter", "a<<\nv\n", nil, "empty name or delimiter"},
	}
	for _, tc := range cases {
		got, err := ParseFileCommand(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error = %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestReadsGoGitHubActions pins this package to what the action's library
// actually writes, so the tests that rely on it read real output.
func TestReadsGoGitHubActions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := dir + "/out"
	var stdout bytes.Buffer
	a := githubactions.New(
		githubactions.WithWriter(&stdout),
		githubactions.WithGetenv(func(k string) string { return map[string]string{"GITHUB_OUTPUT": out}[k] }),
	)
	a.AddMask("s3cr%t\nline2")
	a.AddMask("only-this")
	a.Infof("masked: only-this.")
	a.Infof("plain s3cr%%t\nline2 here")
	a.WithFieldsMap(map[string]string{"title": "T: a,b"}).Errorf("bad %s", "thing")
	a.Debugf("dbg")
	a.SetOutput("token", "v=1")
	a.SetOutput("multi", "x\ny")

	got := ParseLog(stdout.String())
	if got[0].Name != "add-mask" || got[0].Message != "s3cr%t\nline2" {
		t.Errorf("add-mask = %+v", got[0])
	}
	var errCmd Command
	for _, c := range got {
		if c.Name == "error" {
			errCmd = c
		}
	}
	if errCmd.Message != "bad thing" || errCmd.Props["title"] != "T: a,b" {
		t.Errorf("error = %+v", errCmd)
	}

	// The runner registers a mask whole: a multi-line secret is not matched
	// within a single log line, so its lines stay visible unless masked one
	// by one (which is why the action masks each line too).
	rendered := Render(stdout.String(), false)
	want := "masked: ***.\nplain s3cr%t\nline2 here\nError: T: a,b: bad thing\n"
	if rendered != want {
		t.Errorf("Render = %q, want %q", rendered, want)
	}
	if !strings.Contains(Render(stdout.String(), true), "##[debug]dbg") {
		t.Error("debug line not rendered with debug on")
	}

	b, err := readFile(out)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := ParseFileCommand(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"token": "v=1", "multi": "x\ny"}, outs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

func TestCheckSecret(t *testing.T) {
	t.Parallel()
	const s = "SECRETVALUE"
	cases := []struct {
		name, log, wantErr string
	}{
		{"masked first, never used", "::add-mask::SECRETVALUE\nhello\n", ""},
		{"used before mask", "token SECRETVALUE\n::add-mask::SECRETVALUE\n", "line 1 uses the secret before an add-mask command"},
		{"used after mask", "::add-mask::SECRETVALUE\n::error::got SECRETVALUE\n", "line 2 writes the secret outside"},
		{"never masked", "hello\n", "never masked"},
		{"escaped inside a command", "::error::x%0ASECRETVALUE\n::add-mask::SECRETVALUE\n", "line 1 uses the secret"},
	}
	for _, tc := range cases {
		err := CheckSecret(tc.log, s)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error = %v, want %q", tc.name, err, tc.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), s) {
			t.Errorf("%s: the error shows the secret", tc.name)
		}
	}
}

func TestMasks(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff([]string{"a", "b%c"}, Masks("::add-mask::a\nx\n::add-mask::b%25c\n")); diff != "" {
		t.Error(diff)
	}
}

func readFile(p string) (string, error) {
	b, err := os.ReadFile(p)
	return string(b), err
}

func TestLacks(t *testing.T) {
	t.Parallel()
	log := "a\nb\nc\n"
	for _, tc := range []struct {
		lines []string
		want  string
	}{{[]string{"a", "c"}, ""}, {[]string{"c", "a"}, "a"}, {[]string{"b", "d"}, "d"}, {nil, ""}} {
		if got := Lacks(log, tc.lines...); got != tc.want {
			t.Errorf("Lacks(%q) = %q, want %q", tc.lines, got, tc.want)
		}
	}
}
