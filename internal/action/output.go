package action

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Everything the step writes for the runner goes through here: masks, log
// lines, outputs and the summary. None of it ever holds a secret, and
// server text reaches it only as untrusted.Text, rendered safe.

// lineWriter is the one writer of the step's stdout. go-githubactions
// writes each command or log line whole, in one Write; as defence in depth
// the legacy command syntax, which the runner obeys anywhere in a line, is
// broken in every line whatever its source (the step never writes it).
type lineWriter struct{ w io.Writer }

func (l lineWriter) Write(p []byte) (int, error) {
	if _, err := l.w.Write(bytes.ReplaceAll(p, []byte("##["), []byte("## ["))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// info writes a line to the log, with every secret masked and on one line
// whatever it quotes.
func (s *step) info(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	line := redact(fmt.Sprintf(format, args...), s.secrets)
	s.gha.Infof("%s", strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, line))
}

// mask tells the runner to hide v, and each of its lines: the runner masks
// line by line, so a multi-line secret needs a mask per line as well.
func (s *step) mask(v string) {
	if v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets = append(s.secrets, v)
	s.gha.AddMask(v)
	if !strings.ContainsAny(v, "\r\n") {
		return
	}
	for _, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if line = strings.TrimSpace(line); line != "" {
			s.secrets = append(s.secrets, line)
			s.gha.AddMask(line)
		}
	}
}

// output is one step output, in the order it is written. A value from a
// server is its untrusted.Text rendering; a secret is handed on exactly,
// so it must be usable as it is.
type output struct {
	name, value string
	secret      bool
}

// fileCommandDelimiter is the heredoc delimiter go-githubactions v1.3.0
// writes outputs with (a test checks it against the library's output).
const fileCommandDelimiter = "_GitHubActionsFileCommandDelimeter_"

// setOutputs writes every output or none. A secret that could not be
// handed on intact (a line break would inject other outputs) is refused.
func (s *step) setOutputs(outs []output) error {
	for _, o := range outs {
		bad := o.value == fileCommandDelimiter || !utf8.ValidString(o.value) || strings.IndexFunc(o.value, unicode.IsControl) >= 0
		if bad && o.secret {
			return fmt.Errorf("refusing to set output %s: GitHub's value contains a line break or control characters, or is the file-command delimiter, so it cannot be handed on intact", o.name)
		}
		if bad { // the step's own value: a bug, never a server's (those are rendered safe)
			return fmt.Errorf("refusing to set output %s: its value cannot be written safely", o.name)
		}
	}
	return panicToError(func() {
		for _, o := range outs {
			s.gha.SetOutput(o.name, o.value)
		}
	}, "writing outputs to GITHUB_OUTPUT")
}

// summary adds to the step summary, in file, where there is one. Failing
// to is not worth failing the step over: the outputs are already set.
func (s *step) summary(file, markdown string) {
	if file == "" {
		return
	}
	if err := panicToError(func() { s.gha.AddStepSummary(markdown) }, "writing the step summary"); err != nil {
		s.gha.Warningf("%s", err)
	}
}

// panicToError turns go-githubactions' panics on file-command write
// failures into errors.
func panicToError(f func(), what string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %v", what, r)
		}
	}()
	f()
	return nil
}

// redact replaces every secret in s with ***, as the runner's masker would:
// the step's own text must be safe even where the runner's masking is off
// (a local run, a log shipped elsewhere).
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}
