package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
)

// config is what the flags ask for, checked: nothing in it can fail once
// the simulator listens.
type config struct {
	listen, host, iface, base, tokenEnv string
	listenSet                           bool // -listen was given
	caFile, urlFile, issuedFile         string
	githubEnv, appKeyFile               string
	deterministic                       bool

	targets   []string // "repos/o/r", "orgs/o", "enterprises/e", in order, no repeats
	runners   []runnerSpec
	groups    []groupSpec
	installs  []installSpec
	faults    []faultSpec
	jitFaults []jitFaultSpec
	secondary ghsim.SecondaryLimit // secondary.go
}

type runnerSpec struct {
	target string
	ghsim.Runner
	group string // as given: a name or an id; "" for the default group
}

type groupSpec struct {
	target string
	ghsim.RunnerGroup
}

// installSpec is the App installed on account ("octo-org" or
// "enterprises/octo-ent"): on all its repositories, or only on repos.
type installSpec struct {
	account string
	all     bool
	repos   []string
}

// usageHeader comes before the flags in ghsim -h.
const usageHeader = `Usage: ghsim [flags]

Serves a GitHub REST API simulator over HTTPS with its own CA, for testing
workflows that use runnertoken/runner-token-action without a credential.
It accepts one credential, read from the environment variable that
-token-env names, with admin rights on every target it has. It runs until
interrupted. See the package documentation for what tokens look like:
go doc github.com/runnertoken/runner-token-action/cmd/ghsim

Flags:
`

// parse reads the flags. It returns flag.ErrHelp, having written the
// usage to w, for -h.
func parse(args []string, w io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("ghsim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:0", "`address` to listen on; with -interface, only :PORT")
	fs.StringVar(&c.host, "host", "", "`host` name or IP that clients use, put in the certificate and the URL (default: the listen address)")
	fs.StringVar(&c.iface, "interface", "", "listen on the IPv4 address of the network interface `name`d, e.g. docker0, where container actions reach the host")
	fs.StringVar(&c.base, "base", "/api/v3", "base `path` the API is mounted under")
	fs.StringVar(&c.tokenEnv, "token-env", "SIM_TOKEN", "environment `variable` holding the one credential accepted")
	fs.StringVar(&c.caFile, "ca-file", "", "write the CA certificate (PEM) to `file`, for SSL_CERT_FILE")
	fs.StringVar(&c.urlFile, "url-file", "", "write the API URL to `file`, last of all: wait for it as the sign of readiness")
	fs.StringVar(&c.issuedFile, "issued-file", "", "append each minted credential to `file` (mode 0600), one line: KIND TARGET VALUE")
	fs.StringVar(&c.githubEnv, "github-env", "", "append GHSIM_API_URL, GHSIM_CA_FILE (and GHSIM_APP_ID, GHSIM_APP_KEY_FILE) to `file`, e.g. \"$GITHUB_ENV\"; needs -ca-file")
	fs.StringVar(&c.appKeyFile, "app-key-file", "", "register a GitHub App (ID 424242) and write its new private key (PEM, mode 0600) to `file`")
	fs.BoolVar(&c.deterministic, "deterministic", true, "mint the same tokens in every run (ghsim-KIND-N-TARGET); false for random ones")
	fs.Func("repository", "add the repository `OWNER/NAME` (repeatable; octo-org/app always exists)", func(s string) error {
		t, err := repositoryTarget(s)
		c.addTarget(t)
		return err
	})
	fs.Func("organization", "add the organization `LOGIN` (repeatable; octo-org always exists)", func(s string) error {
		t, err := ownerTarget("orgs/", s)
		c.addTarget(t)
		return err
	})
	fs.Func("enterprise", "add the enterprise `SLUG` (repeatable; octo-ent always exists)", func(s string) error {
		t, err := ownerTarget("enterprises/", s)
		c.addTarget(t)
		return err
	})
	fs.Func("runner", "pre-register a runner (repeatable); `SPEC`: organization=ORG|repository=OWNER/NAME|enterprise=SLUG,name=NAME[,status=online|offline][,busy][,label=L]...[,os=OS][,group=NAME|ID]", c.addRunner)
	fs.Func("runner-group", "add a runner group (repeatable); `SPEC`: organization=ORG,name=NAME[,id=N][,inherited], or enterprise=SLUG,...", c.addGroup)
	fs.Func("app-installation", "install the App (repeatable) on `TARGET`: organization=ORG, enterprise=SLUG or repository=OWNER/NAME (that one only); needs -app-key-file", c.addInstallation)
	fs.Func("fault", "answer the next requests with the faults in `LIST`, one each, in order, e.g. 502,reset,rate-limit:1 (names below)", func(s string) error {
		list, err := parseFaults(s)
		c.faults = append(c.faults, list...)
		return err
	})
	fs.Func("jit-fault", "fail the next generate-jitconfig requests that pass validation with the faults in `LIST`, e.g. lost,502-before (names below)", func(s string) error {
		list, err := parseJITFaults(s)
		c.jitFaults = append(c.jitFaults, list...)
		return err
	})
	fs.Func("secondary-limit", secondaryUsage, c.setSecondaryLimit)
	fs.Usage = func() {} // an error is reported as one line, -h below

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(w, usageHeader)
			fs.SetOutput(w)
			fs.PrintDefaults()
			fmt.Fprint(w, faultHelp)
			return nil, err
		}
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected argument %q: every setting is a flag", fs.Arg(0))}
	}
	fs.Visit(func(f *flag.Flag) { c.listenSet = c.listenSet || f.Name == "listen" })
	if err := c.check(); err != nil {
		return nil, usageError{err}
	}
	return c, nil
}

// usageError is flags that cannot work together or at all: the command
// exits 2 for it, as Go's flag package does, and 1 for what fails later.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// check finds what no single flag can: settings that contradict each other.
func (c *config) check() error {
	var problems []string
	// Without the slash the URL would be https://HOST:PORTapi, and every
	// request to it a 404.
	if !strings.HasPrefix(c.base, "/") || strings.ContainsAny(c.base, "?# \t\n") {
		problems = append(problems, fmt.Sprintf("-base %q: give a path that starts with /, e.g. /api/v3 (as on GHES) or / (as on api.github.com)", c.base))
	}
	if c.iface != "" {
		if c.host != "" {
			problems = append(problems, "-interface and -host: -interface chooses the address clients use; give one of them")
		}
		if h, _, err := net.SplitHostPort(c.listen); c.listenSet && (err != nil || h != "") {
			problems = append(problems, fmt.Sprintf("-listen %q with -interface: give -listen only a port, e.g. -listen :8443", c.listen))
		}
	}
	if c.githubEnv != "" && c.caFile == "" {
		problems = append(problems, "-github-env needs -ca-file: say where to write the CA certificate (for a container action, under $GITHUB_WORKSPACE)")
	}
	if len(c.installs) > 0 && c.appKeyFile == "" {
		problems = append(problems, "-app-installation needs -app-key-file: say where to write the App's private key")
	}
	if err := c.resolveGroups(); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func (c *config) addTarget(t string) {
	if t != "" && !slices.Contains(c.targets, t) {
		c.targets = append(c.targets, t)
	}
}

func repositoryTarget(s string) (string, error) {
	owner, name, ok := strings.Cut(s, "/")
	if !ok || !validName(owner) || !validName(name) {
		return "", fmt.Errorf("%q is not OWNER/NAME", s)
	}
	return "repos/" + strings.ToLower(s), nil
}

func ownerTarget(prefix, s string) (string, error) {
	if !validName(s) {
		return "", fmt.Errorf("%q is not a login or slug (letters, digits, '-', '_' and '.')", s)
	}
	return prefix + strings.ToLower(s), nil
}

func validName(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == ""
}

// field is one KEY=VALUE of a flag's value, or a bare KEY (bare is true).
type field struct {
	key, value string
	bare       bool
}

// splitFields splits "k=v,k2=v2,word" and checks that every key is one of
// known. Keys other than those in repeatable may appear once.
func splitFields(s string, known []string, repeatable ...string) ([]field, error) {
	var out []field
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		k, v, hasValue := strings.Cut(strings.TrimSpace(part), "=")
		if !slices.Contains(known, k) {
			return nil, fmt.Errorf("unknown key %q (known: %s)", k, strings.Join(known, ", "))
		}
		if seen[k] && !slices.Contains(repeatable, k) {
			return nil, fmt.Errorf("%s given twice", k)
		}
		seen[k] = true
		out = append(out, field{k, v, !hasValue})
	}
	return out, nil
}

// target reads the one repository=, organization= or enterprise= field.
func target(fields []field, allowRepository bool) (string, error) {
	var t string
	for _, f := range fields {
		var err error
		next := ""
		switch f.key {
		case "repository":
			if !allowRepository {
				return "", errors.New("a repository has no runner groups: give organization= or enterprise=")
			}
			next, err = repositoryTarget(f.value)
		case "organization":
			next, err = ownerTarget("orgs/", f.value)
		case "enterprise":
			next, err = ownerTarget("enterprises/", f.value)
		default:
			continue
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.key, err)
		}
		if t != "" {
			return "", errors.New("give one of repository=, organization= and enterprise=")
		}
		t = next
	}
	if t == "" {
		return "", errors.New("say where: repository=OWNER/NAME, organization=LOGIN or enterprise=SLUG")
	}
	return t, nil
}

// boolean reads a bare KEY, KEY=true or KEY=false.
func boolean(f field) (bool, error) {
	if f.bare {
		return true, nil
	}
	b, err := strconv.ParseBool(f.value)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want true or false", f.key, f.value)
	}
	return b, nil
}

var targetKeys = []string{"repository", "organization", "enterprise"}

func (c *config) addRunner(s string) error {
	fields, err := splitFields(s, append([]string{"name", "status", "busy", "label", "os", "group"}, targetKeys...), "label")
	if err != nil {
		return err
	}
	t, err := target(fields, true)
	if err != nil {
		return err
	}
	r := runnerSpec{target: t, Runner: ghsim.Runner{OS: "Linux"}}
	for _, f := range fields {
		if f.bare && f.key != "busy" {
			return fmt.Errorf("%s needs a value (%s=VALUE)", f.key, f.key)
		}
		switch f.key {
		case "name":
			if f.value == "" || len(f.value) > 64 || strings.ContainsAny(f.value, " \t") {
				return fmt.Errorf("name %q: want 1 to 64 characters, no spaces", f.value)
			}
			r.Name = f.value
		case "status":
			if f.value != "online" && f.value != "offline" {
				return fmt.Errorf("status=%q: want online or offline", f.value)
			}
			r.Status = f.value
		case "busy":
			if r.Busy, err = boolean(f); err != nil {
				return err
			}
		case "label":
			if f.value == "" || len(f.value) > 256 {
				return fmt.Errorf("label %q: want 1 to 256 characters", f.value)
			}
			r.Labels = append(r.Labels, f.value)
		case "os":
			r.OS = f.value
		case "group":
			r.group = f.value
		}
	}
	switch {
	case r.Name == "":
		return errors.New("name= is missing")
	case r.Busy && r.Status == "offline":
		return errors.New("a busy runner is online: drop status=offline or busy")
	case r.Busy:
		r.Status = "online"
	case r.Status == "":
		r.Status = "offline"
	}
	if r.Labels == nil {
		r.Labels = []string{"self-hosted"}
	}
	for _, o := range c.runners {
		if o.target == t && strings.EqualFold(o.Name, r.Name) {
			return fmt.Errorf("%s already has a runner named %q", t, r.Name)
		}
	}
	c.runners = append(c.runners, r)
	c.addTarget(t)
	return nil
}

func (c *config) addGroup(s string) error {
	fields, err := splitFields(s, append([]string{"name", "id", "inherited"}, targetKeys...))
	if err != nil {
		return err
	}
	t, err := target(fields, false)
	if err != nil {
		return err
	}
	g := groupSpec{target: t, RunnerGroup: ghsim.RunnerGroup{Visibility: "all"}}
	for _, f := range fields {
		if f.bare && f.key != "inherited" {
			return fmt.Errorf("%s needs a value (%s=VALUE)", f.key, f.key)
		}
		switch f.key {
		case "name":
			g.Name = f.value
		case "id":
			if g.ID, err = strconv.ParseInt(f.value, 10, 64); err != nil || g.ID < 2 {
				return fmt.Errorf("id=%q: want a number from 2 up (1 is the Default group)", f.value)
			}
		case "inherited":
			if g.Inherited, err = boolean(f); err != nil {
				return err
			}
		}
	}
	if g.Name == "" {
		return errors.New("name= is missing")
	}
	for _, o := range c.groups {
		if o.target == t && (strings.EqualFold(o.Name, g.Name) || (g.ID != 0 && o.ID == g.ID)) {
			return fmt.Errorf("%s already has the runner group %q (id %d)", t, o.Name, o.ID)
		}
	}
	if strings.EqualFold(g.Name, "Default") {
		return errors.New(`"Default" is the default group (id 1), which every organization and enterprise has`)
	}
	c.groups = append(c.groups, g)
	c.addTarget(t)
	return nil
}

// resolveGroups gives each runner group without an id the next free one
// of its target (from 2), and each runner the id of the group it names.
func (c *config) resolveGroups() error {
	groupsOf := func(t string) []ghsim.RunnerGroup {
		all := []ghsim.RunnerGroup{{ID: 1, Name: "Default", Default: true, Visibility: "all"}}
		for _, g := range c.groups {
			if g.target == t {
				all = append(all, g.RunnerGroup)
			}
		}
		return all
	}
	for i := range c.groups {
		g := &c.groups[i]
		for id := int64(2); g.ID == 0; id++ {
			if !slices.ContainsFunc(groupsOf(g.target), func(o ghsim.RunnerGroup) bool { return o.ID == id }) {
				g.ID = id
			}
		}
	}
	for i := range c.runners {
		r := &c.runners[i]
		r.GroupID = 1
		if r.group == "" {
			continue
		}
		groups := groupsOf(r.target)
		at := slices.IndexFunc(groups, func(g ghsim.RunnerGroup) bool {
			return strings.EqualFold(g.Name, r.group) || strconv.FormatInt(g.ID, 10) == r.group
		})
		if at < 0 {
			var names []string
			for _, g := range groups {
				names = append(names, fmt.Sprintf("%s (%d)", g.Name, g.ID))
			}
			return fmt.Errorf("-runner %s: %s has no runner group %q (it has %s)", r.Name, r.target, r.group, strings.Join(names, ", "))
		}
		r.GroupID = groups[at].ID
	}
	return nil
}

func (c *config) addInstallation(s string) error {
	fields, err := splitFields(s, targetKeys)
	if err != nil {
		return err
	}
	t, err := target(fields, true)
	if err != nil {
		return err
	}
	account, repo := strings.TrimPrefix(strings.TrimPrefix(t, "orgs/"), "repos/"), ""
	if strings.HasPrefix(t, "repos/") {
		account, repo, _ = strings.Cut(account, "/")
	}
	c.addTarget(t)
	at := slices.IndexFunc(c.installs, func(i installSpec) bool { return i.account == account })
	if at < 0 {
		c.installs = append(c.installs, installSpec{account: account})
		at = len(c.installs) - 1
	}
	in := &c.installs[at]
	if repo == "" {
		in.all = true
	} else if !slices.Contains(in.repos, repo) {
		in.repos = append(in.repos, repo)
	}
	return nil
}
