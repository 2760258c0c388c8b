// Package runnertest emulates the GitHub Actions runner for tests and the
// local demo: it reads what an action writes the way the runner does
// (workflow commands on stdout such as ::add-mask:: and ::error::, and file
// commands such as GITHUB_OUTPUT), and lays out a step's environment. The
// shipped binary never imports it.
package runnertest

import (
	"errors"
	"fmt"
	"strings"
)

// Command is one line of an action's stdout.
type Command struct {
	Name    string // "" for a plain log line
	Props   map[string]string
	Message string // unescaped
	Raw     string
}

// ParseLog splits stdout into lines and decodes workflow commands, with the
// runner's escaping rules (%25, %0D, %0A; and %3A, %2C in properties).
func ParseLog(stdout string) []Command {
	var out []Command
	for _, raw := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		out = append(out, parseLine(raw))
	}
	return out
}

func parseLine(raw string) Command {
	c := Command{Message: raw, Raw: raw}
	rest, ok := strings.CutPrefix(strings.TrimLeft(raw, " \t"), "::")
	if !ok {
		return c
	}
	head, msg, ok := strings.Cut(rest, "::")
	if !ok {
		return c
	}
	name, props, _ := strings.Cut(head, " ")
	if name == "" {
		return c
	}
	c.Name, c.Message = name, unescapeData(msg)
	if props != "" {
		c.Props = map[string]string{}
		for _, p := range strings.Split(props, ",") {
			k, v, _ := strings.Cut(p, "=")
			c.Props[k] = unescapeProperty(v)
		}
	}
	return c
}

func unescapeData(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(s)
}

func unescapeProperty(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

// Render returns the log as the runner shows it in a job's log: masks applied
// from the line they are added on, ::add-mask:: lines hidden, annotations
// shown as "Error: ...", and debug lines only when debug is on.
func Render(stdout string, debug bool) string {
	var secrets []string
	var b strings.Builder
	for _, c := range ParseLog(stdout) {
		var line string
		switch c.Name {
		case "add-mask":
			if c.Message != "" {
				secrets = append(secrets, c.Message)
			}
			continue
		case "":
			line = c.Raw
		case "debug":
			if !debug {
				continue
			}
			line = "##[debug]" + c.Message
		case "error", "warning", "notice":
			line = strings.ToUpper(c.Name[:1]) + c.Name[1:] + ": " + c.Message
			if t := c.Props["title"]; t != "" {
				line = strings.ToUpper(c.Name[:1]) + c.Name[1:] + ": " + t + ": " + c.Message
			}
		case "group":
			line = "▸ " + c.Message
		case "endgroup":
			continue
		default:
			line = c.Raw
		}
		b.WriteString(Mask(line, secrets))
		b.WriteByte('\n')
	}
	return b.String()
}

// Mask replaces every secret in s with ***, as the runner's secret masker
// does (each line of a multi-line secret is not masked on its own: the
// action must add a mask per line for that).
func Mask(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// Masks returns the values announced by ::add-mask:: in stdout, in order.
func Masks(stdout string) []string {
	var m []string
	for _, c := range ParseLog(stdout) {
		if c.Name == "add-mask" {
			m = append(m, c.Message)
		}
	}
	return m
}

// CheckSecret verifies that secret is announced by ::add-mask:: before it is
// written anywhere else on stdout, and that it never appears except in its
// mask command: an action's log must be safe even where the runner's masking
// is off (a local run, a log shipped elsewhere). Errors give line numbers,
// never the secret.
func CheckSecret(stdout, secret string) error {
	if secret == "" {
		return errors.New("CheckSecret: empty secret")
	}
	masked := false
	for i, c := range ParseLog(stdout) {
		if c.Name == "add-mask" && c.Message == secret {
			masked = true
			continue
		}
		if strings.Contains(c.Raw, secret) || strings.Contains(c.Message, secret) {
			if !masked {
				return fmt.Errorf("line %d uses the secret before an add-mask command for it", i+1)
			}
			return fmt.Errorf("line %d writes the secret outside its add-mask command (masked, but still written)", i+1)
		}
	}
	if !masked {
		return errors.New("the secret is never masked with an add-mask command")
	}
	return nil
}

// ParseFileCommand parses a file command file such as GITHUB_OUTPUT with the
// runner's rules: NAME=VALUE lines, and NAME<<DELIMITER heredocs that end at
// a line equal to DELIMITER. A later value for a name replaces an earlier one.
func ParseFileCommand(data string) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.Split(data, "\n")
	if strings.HasSuffix(data, "\n") {
		lines = lines[:len(lines)-1]
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		eq, hd := strings.Index(line, "="), strings.Index(line, "<<")
		switch {
		case eq >= 0 && (hd < 0 || eq < hd):
			if eq == 0 {
				return nil, fmt.Errorf("line %d: empty name", i+1)
			}
			out[line[:eq]] = line[eq+1:]
		case hd >= 0:
			name, delim := line[:hd], line[hd+2:]
			if name == "" || delim == "" {
				return nil, fmt.Errorf("line %d: empty name or delimiter", i+1)
			}
			var value []string
			for i++; ; i++ {
				if i >= len(lines) {
					return nil, fmt.Errorf("output %q: matching delimiter not found", name)
				}
				if lines[i] == delim {
					break
				}
				value = append(value, lines[i])
			}
			out[name] = strings.Join(value, "\n")
		default:
			return nil, fmt.Errorf("line %d: not NAME=VALUE or NAME<<DELIMITER", i+1)
		}
	}
	return out, nil
}

// Obeyed returns the workflow commands the runner would act on in stdout,
// in order, read as actions/runner reads them: the current syntax
// (::name props::data) at a line's start after blanks, the legacy one
// (##[name props]data) anywhere in a line, and stop-commands honoured, so
// that commands between it and its resume token are not obeyed (an
// add-mask among them is lost).
func Obeyed(stdout string) []Command {
	var out []Command
	resume := ""
	for _, raw := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		c := parseLine(raw)
		if c.Name == "" {
			c = parseLegacy(raw)
		}
		switch {
		case c.Name == "":
		case resume != "":
			if c.Name == resume {
				resume = ""
			}
		case c.Name == "stop-commands":
			resume = c.Message
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

// parseLegacy reads ##[name props]data anywhere in raw.
func parseLegacy(raw string) Command {
	i := strings.Index(raw, "##[")
	if i < 0 {
		return Command{Raw: raw, Message: raw}
	}
	head, msg, ok := strings.Cut(raw[i+3:], "]")
	if !ok {
		return Command{Raw: raw, Message: raw}
	}
	name, _, _ := strings.Cut(head, " ")
	return Command{Name: name, Message: unescapeData(msg), Raw: raw}
}

// CheckSecretLine is CheckSecret for one line of a multi-line secret: it is
// also (rightly) inside the whole secret's ::add-mask::, so the rule is that
// it is masked on its own and appears in nothing but ::add-mask:: commands.
func CheckSecretLine(stdout, line string) error {
	masked := false
	for i, c := range ParseLog(stdout) {
		if c.Name == "add-mask" {
			masked = masked || c.Message == line
			continue
		}
		if strings.Contains(c.Raw, line) || strings.Contains(c.Message, line) {
			return fmt.Errorf("line %d writes a line of the secret", i+1)
		}
	}
	if !masked {
		return errors.New("a line of the secret is never masked on its own")
	}
	return nil
}

// Lacks returns the first of lines that log does not hold after the lines
// before it, in order, or "" when it holds them all so.
func Lacks(log string, lines ...string) string {
	at := 0
	for _, l := range lines {
		i := strings.Index(log[at:], l)
		if i < 0 {
			return l
		}
		at += i + len(l)
	}
	return ""
}
