package action

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Everything the step writes for the runner goes through here: masks,
// log lines, outputs and the summary. None of it ever holds a secret.

// say writes a line to the log, with every secret masked and on one line
// whatever it quotes: text from a server can never start a line of its
// own, and with it a workflow command.
func (s *step) say(format string, args ...any) {
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

// fileCommandDelimiter is the heredoc delimiter go-githubactions v1.3.0
// writes outputs with (a test checks it against the library's output).
const fileCommandDelimiter = "_GitHubActionsFileCommandDelimeter_"

// setOutputs writes every output or none: values are checked first, so a
// value from the server can never inject another output into GITHUB_OUTPUT.
func (s *step) setOutputs(outs []output) error {
	for _, o := range outs {
		if strings.ContainsAny(o.value, "\r\n") {
			return fmt.Errorf("refusing to set output %s: the value from GitHub contains a line break, which could inject other outputs", o.name)
		}
		// go-githubactions writes each output as a heredoc with a fixed
		// delimiter: a value line equal to it would end the heredoc early and
		// break the runner's reading of the file.
		if o.value == fileCommandDelimiter {
			return fmt.Errorf("refusing to set output %s: the value from GitHub is the file-command delimiter", o.name)
		}
		// No token, config, id or URL holds a control character or broken
		// UTF-8; one that does is not something to hand to a shell.
		if !utf8.ValidString(o.value) || strings.IndexFunc(o.value, unicode.IsControl) >= 0 {
			return fmt.Errorf("refusing to set output %s: the value from GitHub contains control characters or is not UTF-8", o.name)
		}
	}
	return catch(func() {
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
	if err := catch(func() { s.gha.AddStepSummary(markdown) }, "writing the step summary"); err != nil {
		s.gha.Warningf("%s", err)
	}
}

// catch turns go-githubactions' panics on file-command write failures into
// errors.
func catch(f func(), what string) (err error) {
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
