// Package config reads the action's inputs and the runner's environment into
// a typed, validated configuration.
package config

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/runnertoken/runner-token-action/internal/appauth"
	"github.com/runnertoken/runner-token-action/internal/jit"
	"github.com/runnertoken/runner-token-action/internal/mint"
	"github.com/runnertoken/runner-token-action/internal/target"
)

// DefaultAPIURL is used when neither the api-url input nor GITHUB_API_URL is
// set, which only happens outside a runner.
const DefaultAPIURL = "https://api.github.com"

// Config is the action's inputs (INPUT_*) and the parts of the runner's
// environment (GITHUB_*) the action uses. Call Validate before the accessors.
type Config struct {
	Token string `env:"INPUT_TOKEN"`
	// A GitHub App instead of a token: its App ID or Client ID, and its
	// private key (PEM, real line breaks or \n escapes).
	AppID      string `env:"INPUT_APP_ID"`
	PrivateKey string `env:"INPUT_PRIVATE_KEY"`

	Repository   string `env:"INPUT_REPOSITORY"`
	Organization string `env:"INPUT_ORGANIZATION"`
	Enterprise   string `env:"INPUT_ENTERPRISE"`

	Kind   string `env:"INPUT_KIND, default=registration"`
	APIURL string `env:"INPUT_API_URL"`
	// Timeout bounds the whole step, retries and their waits included.
	Timeout string `env:"INPUT_TIMEOUT, default=2m"`

	// Kind jit only. action.yml gives them no defaults, so that setting one
	// with another kind can be told from leaving it out.
	RunnerName   string `env:"INPUT_RUNNER_NAME"`
	RunnerLabels string `env:"INPUT_RUNNER_LABELS"`
	RunnerGroup  string `env:"INPUT_RUNNER_GROUP"`
	WorkFolder   string `env:"INPUT_WORK_FOLDER"`

	WorkflowRepository string `env:"GITHUB_REPOSITORY"`
	WorkflowAPIURL     string `env:"GITHUB_API_URL"`
	WorkflowServerURL  string `env:"GITHUB_SERVER_URL"`
	WorkflowRunID      string `env:"GITHUB_RUN_ID"`
	WorkflowRunAttempt string `env:"GITHUB_RUN_ATTEMPT"`
	OutputFile         string `env:"GITHUB_OUTPUT"`

	target    target.Target
	app       *appauth.App
	kind      mint.Kind
	jit       jit.Request
	apiURL    *url.URL
	serverURL *url.URL
	timeout   time.Duration
}

// Load reads the configuration through getenv, the way the runner passes it
// to a container action: input "api-url" arrives as INPUT_API-URL, hyphen
// kept. Empty and all-blank values count as unset. Load does not validate.
func Load(ctx context.Context, getenv func(string) string) (*Config, error) {
	var c Config
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{
		Target:   &c,
		Lookuper: lookuper(getenv),
	}); err != nil {
		return nil, fmt.Errorf("reading inputs: %w", err)
	}
	return &c, nil
}

// lookuper maps envconfig's POSIX-style keys onto the runner's names:
// INPUT_API_URL is looked up as INPUT_API-URL. (envconfig refuses hyphens in
// tags, and every input name here uses hyphens, never underscores.)
type lookuper func(string) string

func (l lookuper) Lookup(key string) (string, bool) {
	if rest, ok := strings.CutPrefix(key, "INPUT_"); ok {
		key = "INPUT_" + strings.ReplaceAll(rest, "_", "-")
	}
	v := strings.TrimSpace(l(key))
	return v, v != ""
}

// Secrets are the credential inputs, to be masked before anything else is
// written to the log.
func (c *Config) Secrets() []string {
	var s []string
	if c.Token != "" {
		s = append(s, c.Token)
	}
	if c.PrivateKey != "" {
		s = append(s, c.PrivateKey)
		// A key given with \n escapes is one line; its real lines must be
		// masked one by one too, wherever a part of it could surface.
		if k := appauth.NormalizeKey(c.PrivateKey); k != c.PrivateKey {
			s = append(s, k)
		}
	}
	return s
}

// Validate checks everything and reports every problem at once, so a user
// fixes their workflow in one go. On success the accessors are ready.
func (c *Config) Validate() error {
	errs := c.parseCredential()

	t, err := c.parseTarget()
	if err != nil {
		errs = append(errs, err)
	}
	c.target = t
	if c.usesApp() && err == nil && t.Scope == target.Enterprise {
		errs = append(errs, appauth.ErrEnterprise)
	}

	if c.kind, err = mint.ParseKind(c.Kind); err != nil {
		errs = append(errs, fmt.Errorf("input %w", err))
	}
	switch set := c.jitInputs(); {
	case c.kind == mint.JIT:
		if c.jit, err = c.parseJIT(); err != nil {
			errs = append(errs, err)
		}
	case c.kind != "" && len(set) > 0:
		// Ignoring them would hand the workflow a registration token when
		// it asked for a particular runner: say so instead.
		errs = append(errs, fmt.Errorf("inputs %s apply only to kind jit: remove them, or set kind: jit", strings.Join(set, ", ")))
	}

	if c.apiURL, err = parseAPIURL(c.apiURLInput()); err != nil {
		errs = append(errs, err)
	} else {
		c.serverURL = serverURL(c.apiURL, c.WorkflowAPIURL, c.WorkflowServerURL)
	}

	if c.timeout, err = parseTimeout(c.Timeout); err != nil {
		errs = append(errs, err)
	}

	if c.OutputFile == "" {
		errs = append(errs, errors.New("GITHUB_OUTPUT is not set: run this as a GitHub Actions step, or set GITHUB_OUTPUT to a file to receive the outputs"))
	}

	err = errors.Join(errs...) // drops nils: a nil entry is no problem
	if err != nil {
		c.app = nil // never a half-validated credential
	}
	return err
}

func (c *Config) usesApp() bool { return c.AppID != "" || c.PrivateKey != "" }

// parseCredential checks that exactly one credential is given: token, or
// app-id with private-key, which must parse.
func (c *Config) parseCredential() []error {
	var errs []error
	switch {
	case c.Token != "" && c.usesApp():
		errs = append(errs, errors.New("inputs token and app-id/private-key are both set: pass one credential, either token or a GitHub App's app-id with private-key"))
	case c.Token == "" && !c.usesApp():
		errs = append(errs, errors.New("input token is required, or app-id with private-key: pass a personal access token with admin rights on the target, e.g. token: ${{ secrets.RUNNER_ADMIN_TOKEN }}, or a GitHub App's app-id and private-key"))
	}
	if !c.usesApp() {
		return errs
	}
	var app appauth.App
	var err error
	if c.AppID == "" {
		errs = append(errs, errors.New("input app-id is required with private-key: pass the GitHub App's App ID or Client ID, from the app's settings page"))
	} else if app.ID, err = appauth.ParseAppID(c.AppID); err != nil {
		errs = append(errs, err)
	}
	if c.PrivateKey == "" {
		errs = append(errs, errors.New("input private-key is required with app-id: pass the GitHub App's private key, e.g. private-key: ${{ secrets.APP_PRIVATE_KEY }}"))
	} else if app.Key, err = appauth.ParsePrivateKey(c.PrivateKey); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		c.app = &app
	}
	return errs
}

func (c *Config) parseTarget() (target.Target, error) {
	var set []string
	if c.Repository != "" {
		set = append(set, "repository")
	}
	if c.Organization != "" {
		set = append(set, "organization")
	}
	if c.Enterprise != "" {
		set = append(set, "enterprise")
	}
	switch {
	case len(set) > 1:
		return target.Target{}, fmt.Errorf("inputs %s are all set: set at most one of repository, organization and enterprise", strings.Join(set, " and "))
	case c.Organization != "":
		return target.ParseOrganization(c.Organization)
	case c.Enterprise != "":
		return target.ParseEnterprise(c.Enterprise)
	case c.Repository != "":
		return target.ParseRepository(c.Repository)
	case c.WorkflowRepository != "":
		t, err := target.ParseRepository(c.WorkflowRepository)
		if err != nil {
			return t, fmt.Errorf("GITHUB_REPOSITORY: %w", err)
		}
		return t, nil
	}
	return target.Target{}, errors.New("no target: set one of the inputs repository, organization or enterprise (GITHUB_REPOSITORY, the default, is not set)")
}

// jitInputs names the kind-jit inputs that are set.
func (c *Config) jitInputs() []string {
	var set []string
	for _, in := range []struct{ name, value string }{
		{"runner-name", c.RunnerName}, {"runner-labels", c.RunnerLabels},
		{"runner-group", c.RunnerGroup}, {"work-folder", c.WorkFolder},
	} {
		if in.value != "" {
			set = append(set, in.name)
		}
	}
	return set
}

// parseJIT reads the kind-jit inputs, reporting every problem. Without
// runner-name, the name is chosen here, once, unique to this run.
func (c *Config) parseJIT() (jit.Request, error) {
	var (
		r    jit.Request
		errs []error
		err  error
	)
	if c.RunnerName != "" {
		r.Name, err = jit.ParseName(c.RunnerName)
		errs = append(errs, err)
	} else {
		suffix, err := jit.RandomSuffix()
		errs = append(errs, err)
		r.Name, r.Generated = jit.DefaultName(c.WorkflowRepository, c.WorkflowRunID, c.WorkflowRunAttempt, suffix), true
	}
	r.Labels, err = jit.ParseLabels(c.RunnerLabels)
	errs = append(errs, err)
	if r.Group, err = jit.ParseGroup(c.RunnerGroup); err == nil && c.target.Scope == target.Repository {
		err = jit.CheckGroupForRepository(r.Group)
	}
	errs = append(errs, err)
	r.WorkFolder, err = jit.ParseWorkFolder(c.WorkFolder)
	errs = append(errs, err)
	return r, errors.Join(errs...)
}

func (c *Config) apiURLInput() string {
	switch {
	case c.APIURL != "":
		return c.APIURL
	case c.WorkflowAPIURL != "":
		return c.WorkflowAPIURL
	}
	return DefaultAPIURL
}

// Target is who the token is for.
func (c *Config) Target() target.Target { return c.target }

// App is the GitHub App to authenticate as, or nil when token is the
// credential.
func (c *Config) App() *appauth.App { return c.app }

// MintKind is what to mint.
func (c *Config) MintKind() mint.Kind { return c.kind }

// JIT is the runner to mint a JIT config for, when MintKind is mint.JIT.
func (c *Config) JIT() jit.Request { return c.jit }

// API is the REST API base URL, exactly as given.
func (c *Config) API() *url.URL { return c.apiURL }

// Server is the web URL runners register against (config.sh --url's host).
func (c *Config) Server() *url.URL { return c.serverURL }

// StepTimeout bounds the whole step.
func (c *Config) StepTimeout() time.Duration { return c.timeout }

// Timeouts a step may have: long enough for one wait on a secondary rate
// limit (GitHub asks for a minute), short enough not to hold a job for long.
const (
	MinTimeout = 5 * time.Second
	MaxTimeout = time.Hour
)

// parseTimeout takes a Go duration ("90s", "2m") or whole seconds ("120").
// A value out of range is refused as the user typed it: converting it first
// could overflow into a small duration, or print a nonsense one.
func parseTimeout(s string) (time.Duration, error) {
	outOfRange := fmt.Errorf("input timeout %q is out of range: give %s to %s", s, MinTimeout, MaxTimeout)
	var d time.Duration
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < int64(MinTimeout/time.Second) || n > int64(MaxTimeout/time.Second) {
			return 0, outOfRange
		}
		d = time.Duration(n) * time.Second
	} else if errors.Is(err, strconv.ErrRange) {
		return 0, outOfRange
	} else if d, err = time.ParseDuration(s); err != nil {
		if strings.Contains(err.Error(), "invalid duration") && durationShaped(s) {
			return 0, outOfRange // ParseDuration says "invalid" for an overflow too
		}
		return 0, fmt.Errorf("input timeout %q is not a duration: give one such as 2m, 90s or 120 (seconds)", s)
	}
	if d < MinTimeout || d > MaxTimeout {
		return 0, outOfRange
	}
	return d, nil
}

// durationShaped says whether s is digits and duration units only, as a
// duration too large for time.Duration is.
func durationShaped(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return s != "" && strings.Trim(s, "0123456789.nsuµμmh") == "" && strings.ContainsAny(s[:1], "0123456789.")
}

// LogValue shows the configuration with every credential redacted.
func (c *Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("token", redacted(c.Token)),
		slog.String("app-id", c.AppID),
		slog.String("private-key", redacted(c.PrivateKey)),
		slog.String("repository", c.Repository),
		slog.String("organization", c.Organization),
		slog.String("enterprise", c.Enterprise),
		slog.String("kind", c.Kind),
		slog.String("api-url", c.APIURL),
		slog.String("timeout", c.Timeout),
		slog.String("runner-name", c.RunnerName),
		slog.String("runner-labels", c.RunnerLabels),
		slog.String("runner-group", c.RunnerGroup),
		slog.String("work-folder", c.WorkFolder),
	)
}

func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// parseAPIURL takes the API base URL as given: it is never rewritten and no
// /api/v3 is added, so a proxy in front of the API works too.
func parseAPIURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url.Error quotes the input, which may hold credentials: say less.
		return nil, errors.New("input api-url is not a valid URL: give an absolute URL such as https://api.github.com")
	}
	shown := u.Redacted()
	switch {
	case u.User != nil:
		return nil, fmt.Errorf("input api-url %q contains credentials: remove them and pass the credential in the token input", shown)
	case u.Scheme == "" || u.Host == "" || u.Opaque != "":
		return nil, fmt.Errorf("input api-url %q is not an absolute URL: give one such as https://api.github.com or https://HOST/api/v3", shown)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("input api-url %q uses plain http, which would send the credential unencrypted: use https (http is allowed only for loopback hosts)", shown)
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("input api-url %q has scheme %q: use https", shown, u.Scheme)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("input api-url %q has a query or fragment: give the API's base URL only", shown)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var gheComAPI = regexp.MustCompile(`^api\.([a-z0-9-]+)\.ghe\.com$`)

// serverURL works out the web host that runners register against. The
// workflow's own GITHUB_SERVER_URL is right when the action talks to the
// workflow's own API; otherwise the API URL's shape tells: api.github.com,
// api.SUB.ghe.com, or a GHES https://HOST/api/v3.
func serverURL(api *url.URL, workflowAPI, workflowServer string) *url.URL {
	if workflowServer != "" && sameURL(api.String(), workflowAPI) {
		if u, err := url.Parse(workflowServer); err == nil && u.Host != "" {
			return u
		}
	}
	host := strings.ToLower(api.Hostname())
	switch {
	case host == "api.github.com":
		return &url.URL{Scheme: "https", Host: "github.com"}
	case gheComAPI.MatchString(host):
		return &url.URL{Scheme: "https", Host: strings.TrimPrefix(host, "api.")}
	case strings.HasSuffix(strings.TrimSuffix(api.Path, "/"), "/api/v3"):
		return &url.URL{Scheme: api.Scheme, Host: api.Host, Path: strings.TrimSuffix(strings.TrimSuffix(api.Path, "/"), "/api/v3")}
	}
	if u, err := url.Parse(workflowServer); err == nil && workflowServer != "" && u.Host != "" {
		return u
	}
	return &url.URL{Scheme: api.Scheme, Host: api.Host}
}

func sameURL(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(b, "/"))
}
