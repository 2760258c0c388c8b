package main

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// hostile is what a hostile server puts in every string it sends: both
// command syntaxes, a stop-commands that would unmask what follows, line
// and paragraph separators, ANSI, and live Markdown and HTML.
var hostile = []string{
	"##[stop-commands]resume",
	"::stop-commands::resume",
	"x\n::error::injected",
	"a\u2028##[error]b\u2029c\u0085d",
	"\x1b[31m##[warning]red\x1b[0m",
	"[Sign in again](https://evil.example/login) ![i](https://evil.example/i.png) **now** <img src=x onerror=alert(1)> | col",
}

// TestHostileServerText drives the built binary against a server that
// puts hostile text in every place server text can reach, reads its
// stdout exactly as actions/runner does (both syntaxes, stop-commands
// honoured), and checks that only the action's own commands result, every
// secret stays masked, and the outputs and summary hold no raw control
// character or live Markdown.
func TestHostileServerText(t *testing.T) {
	t.Parallel()
	for i, h := range hostile {
		for _, sc := range []struct {
			name  string
			setup func(c *container)
			ok    bool // the step succeeds
			app   bool // with the example GitHub App instead of a token
		}{
			{"an App installation's account login", func(c *container) {
				c.sim.Inject(c.sim.Tamper(func(a map[string]any) { a["account"] = map[string]any{"login": h} }))
			}, true, true},
			{"request id on a retried 502", func(c *container) {
				c.sim.Inject(c.sim.Status(http.StatusBadGateway, "Server Error", "X-GitHub-Request-Id: "+h))
			}, true, false},
			{"error message and details", func(c *container) {
				c.sim.Inject(c.sim.Answer(http.StatusUnprocessableEntity, `{"message":`+quote(h)+`,"errors":[{"message":`+quote(h)+`},{"resource":`+quote(h)+`,"field":"f","code":"c"}]}`))
			}, false, false},
			{"runner, group and label names of a JIT runner", func(c *container) {
				c.step.SetInput("kind", "jit")
				c.step.SetInput("organization", "octo-org")
				c.step.SetInput("runner-group", "4")
				c.sim.SetRunnerGroups("orgs/octo-org", ghsim.RunnerGroup{ID: 1, Name: "Default", Default: true}, ghsim.RunnerGroup{ID: 4, Name: h})
				c.sim.Inject(c.sim.Tamper(func(a map[string]any) {}), c.sim.Tamper(func(a map[string]any) {
					r := a["runner"].(map[string]any)
					r["name"], r["os"], r["status"] = h, h, h
					r["labels"] = []any{map[string]any{"name": h}}
				}))
			}, true, false},
			{"download URL, file name, os and arch", func(c *container) {
				c.step.SetInput("runner-platform", "linux-x64")
				c.sim.SetDownloads([]ghsim.Download{
					{OS: h, Architecture: h, Filename: h, DownloadURL: h},
					{OS: "linux", Architecture: "x64", Filename: "actions-runner-linux-x64-2.321.0.tar.gz" + h, DownloadURL: "https://example.com/r.tar.gz#" + h},
				})
			}, true, false},
			{"a removed runner's name, status and labels", func(c *container) {
				c.step.SetInput("kind", "delete-runner")
				c.step.SetInput("organization", "octo-org")
				r := c.sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: h, Status: h, Labels: []string{h}})
				c.step.SetInput("runner-id", itoa(r.ID))
			}, true, false},
		} {
			t.Run(sc.name+" "+itoa(int64(i)), func(t *testing.T) {
				t.Parallel()
				c := newContainer(t)
				if sc.app {
					c, _ = newAppContainer(t)
				}
				sc.setup(c)
				c.run()
				if ok := c.code == 0; ok != sc.ok {
					t.Fatalf("exit code %d; stdout:\n%s", c.code, c.stdout)
				}
				checkOnlyOwnCommands(t, c.stdout)
				secrets := []string{adminToken}
				for _, v := range c.sim.Issued() {
					secrets = append(secrets, v.Token)
				}
				for _, v := range c.sim.JITConfigs() {
					secrets = append(secrets, v.Config)
				}
				if sc.app {
					secrets = secrets[1:] // no token input
					for _, v := range c.sim.AppTokens() {
						secrets = append(secrets, v.Token)
					}
				}
				for _, s := range secrets {
					// Announced by an add-mask the runner obeys, before any
					// other use, and never written elsewhere.
					if err := runnertest.CheckSecret(c.stdout, s); err != nil {
						t.Errorf("a credential: %v", err)
					}
					if !obeysMask(c.stdout, s) {
						t.Error("the runner does not obey the add-mask of a credential")
					}
				}
				for name, v := range c.outputs {
					if strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 || strings.Contains(v, "##[") {
						t.Errorf("output %s = %q holds a control character or a command", name, v)
					}
				}
				sum, err := c.step.Summary()
				if err != nil {
					t.Fatal(err)
				}
				checkInertMarkdown(t, sum)
			})
		}
	}
}

// checkOnlyOwnCommands: the runner obeys only the commands the action
// writes itself, and never stops obeying them.
func checkOnlyOwnCommands(t *testing.T, stdout string) {
	t.Helper()
	own := map[string]bool{"add-mask": true, "debug": true, "notice": true, "warning": true, "error": true}
	for _, c := range runnertest.Obeyed(stdout) {
		if !own[c.Name] || strings.HasPrefix(strings.TrimSpace(c.Raw), "##[") || strings.Contains(c.Raw, "##[") {
			t.Errorf("the runner obeys %q from %q", c.Name, c.Raw)
		}
		if c.Name == "error" || c.Name == "warning" || c.Name == "notice" {
			if strings.Contains(c.Message, "injected") && strings.HasPrefix(c.Message, "injected") {
				t.Errorf("an annotation of the server's: %q", c.Message)
			}
		}
	}
}

var codeSpan = regexp.MustCompile("(`+)[^`]*?(`+)")

// checkInertMarkdown: outside code spans, the summary holds nothing of the
// server's that Markdown or HTML would make live.
func checkInertMarkdown(t *testing.T, sum string) {
	t.Helper()
	if strings.ContainsAny(sum, "\r\u2028\u2029\u0085\x1b") {
		t.Errorf("the summary holds a raw control character: %q", sum)
	}
	plain := codeSpan.ReplaceAllString(sum, "")
	for _, live := range []string{"](", "<img", "**now**", "##["} {
		if strings.Contains(plain, live) {
			t.Errorf("the summary has %q outside a code span:\n%s", live, sum)
		}
	}
}

func obeysMask(stdout, secret string) bool {
	for _, c := range runnertest.Obeyed(stdout) {
		if c.Name == "add-mask" && c.Message == secret {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20 || r == 0x7f || r >= 0x80:
			b.WriteString(`\u` + hex4(r))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func hex4(r rune) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[r>>12&0xf], digits[r>>8&0xf], digits[r>>4&0xf], digits[r&0xf]})
}
