// Package config reads the action's inputs and the runner's environment into
// a typed, validated configuration.
package config

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/runnertoken/runner-token-action/internal/target"
)

// Config is what one run of the action does, parsed and validated: every
// field is ready to use.
type Config struct {
	Target     target.Target
	Kind       Kind
	Credential Credential
	// API is the REST API base URL, exactly as given; Server is the web URL
	// runners register against (config.sh --url's host).
	API, Server *url.URL
	// Timeout bounds the whole step, retries and their waits included.
	Timeout time.Duration
	// JIT is the runner to register, for kind jit.
	JIT JITRequest
	// Runner is the runner to remove, for kind delete-runner, or to wait
	// for, for kind wait.
	Runner RunnerRef
	// WaitFor is the state kind wait waits for.
	WaitFor WaitState
	// Prune is what kind prune removes.
	Prune PruneRequest
	// Platform is the runner application to look up the download of, for
	// kinds registration and jit; zero when not asked for.
	Platform Platform
	// SummaryFile is GITHUB_STEP_SUMMARY; "" when there is none.
	SummaryFile string
}

// Credential is what the action authenticates with: a token, or a GitHub
// App (then Token is "").
type Credential struct {
	Token string
	App   *App
}

// Inputs are the action's inputs (INPUT_*) and the parts of the runner's
// environment (GITHUB_*) the action uses, as given. Two more tags describe
// an input: secret marks a credential (masked, and redacted in LogValue),
// and kinds lists the only kinds it applies to (misplaced).
type Inputs struct {
	Token string `env:"INPUT_TOKEN" secret:"true"`
	// A GitHub App instead of a token: its App ID or Client ID (app-id,
	// or client-id as actions/create-github-app-token names it), and its
	// private key (PEM, real line breaks or \n escapes, or base64 PEM).
	AppID      string `env:"INPUT_APP_ID"`
	ClientID   string `env:"INPUT_CLIENT_ID"`
	PrivateKey string `env:"INPUT_PRIVATE_KEY" secret:"true"`

	Repository   string `env:"INPUT_REPOSITORY"`
	Organization string `env:"INPUT_ORGANIZATION"`
	Enterprise   string `env:"INPUT_ENTERPRISE"`

	Kind    string `env:"INPUT_KIND, default=registration"`
	APIURL  string `env:"INPUT_API_URL"`
	Timeout string `env:"INPUT_TIMEOUT, default=2m"`

	// Inputs for some kinds only. action.yml gives them no defaults, so
	// that setting one with another kind can be told from leaving it out.
	RunnerName     string `env:"INPUT_RUNNER_NAME" kinds:"jit, delete-runner, wait"`
	RunnerLabels   string `env:"INPUT_RUNNER_LABELS" kinds:"jit, prune"`
	RunnerGroup    string `env:"INPUT_RUNNER_GROUP" kinds:"jit"`
	WorkFolder     string `env:"INPUT_WORK_FOLDER" kinds:"jit"`
	RunnerID       string `env:"INPUT_RUNNER_ID" kinds:"delete-runner, wait"`
	RunnerPlatform string `env:"INPUT_RUNNER_PLATFORM" kinds:"registration, jit"`
	// Kinds wait and prune (wait.go).
	WaitFor          string `env:"INPUT_WAIT_FOR" kinds:"wait"`
	RunnerNamePrefix string `env:"INPUT_RUNNER_NAME_PREFIX" kinds:"prune"`
	MaxRemovals      string `env:"INPUT_MAX_REMOVALS" kinds:"prune"`
	DryRun           string `env:"INPUT_DRY_RUN" kinds:"prune"`

	WorkflowRepository string `env:"GITHUB_REPOSITORY"`
	WorkflowAPIURL     string `env:"GITHUB_API_URL"`
	WorkflowServerURL  string `env:"GITHUB_SERVER_URL"`
	WorkflowRunID      string `env:"GITHUB_RUN_ID"`
	WorkflowRunAttempt string `env:"GITHUB_RUN_ATTEMPT"`
	OutputFile         string `env:"GITHUB_OUTPUT"`
	SummaryFile        string `env:"GITHUB_STEP_SUMMARY"`
}

// input is one of the action's inputs, as Inputs' tags declare it.
type input struct {
	name   string // as action.yml spells it
	value  string
	secret bool
	kinds  string // e.g. "jit, prune"; "" when it applies to every kind
}

// inputs lists in's INPUT_ fields, in order.
func (in *Inputs) inputs() []input {
	v := reflect.ValueOf(in).Elem()
	var list []input
	for i := range v.NumField() {
		f := v.Type().Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		if rest, ok := strings.CutPrefix(key, "INPUT_"); ok {
			name := strings.ToLower(strings.ReplaceAll(rest, "_", "-"))
			list = append(list, input{name, v.Field(i).String(), f.Tag.Get("secret") == "true", f.Tag.Get("kinds")})
		}
	}
	return list
}

// Read reads the inputs through getenv, the way the runner passes them to a
// container action: input "api-url" arrives as INPUT_API-URL, hyphen kept.
// Empty and all-blank values count as unset.
func Read(ctx context.Context, getenv func(string) string) (*Inputs, error) {
	var in Inputs
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{
		Target:   &in,
		Lookuper: lookuper(getenv),
	}); err != nil {
		return nil, fmt.Errorf("reading inputs: %w", err)
	}
	return &in, nil
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
func (in *Inputs) Secrets() []string {
	var s []string
	for _, i := range in.inputs() {
		if i.secret && i.value != "" {
			s = append(s, i.value)
		}
	}
	// A key given with \n escapes is one line; its real lines must be
	// masked one by one too, wherever a part of it could surface.
	if k := NormalizeKey(in.PrivateKey); k != in.PrivateKey {
		s = append(s, k)
	}
	// A base64-encoded key is PEM once decoded: that, and its lines, too.
	if k, ok := decodeBase64Key(in.PrivateKey); ok {
		s = append(s, k)
	}
	return s
}

// Parse checks everything and reports every problem at once, so a user
// fixes their workflow in one go.
func (in *Inputs) Parse() (*Config, error) {
	c := &Config{SummaryFile: in.SummaryFile}
	var (
		errs []error
		err  error
	)
	c.Target, err = in.parseTarget()
	c.Credential, errs = in.parseCredential(c.Target.Scope)
	errs = append(errs, err)

	c.Kind, err = ParseKind(in.Kind)
	errs = append(errs, err)
	var kindErr error // from the inputs of the kinds that have some
	switch c.Kind {
	case Registration:
		c.Platform, kindErr = ParsePlatform(in.RunnerPlatform)
	case JIT:
		c.JIT, c.Platform, kindErr = in.parseJIT(c.Target)
	case DeleteRunner:
		c.Runner, kindErr = in.parseRunnerRef(DeleteRunner, "removes")
	case Wait:
		c.Runner, c.WaitFor, kindErr = in.parseWait()
	case Prune:
		c.Prune, kindErr = in.parsePrune()
	}
	errs = append(errs, kindErr)
	if c.Kind != "" {
		// Inputs set for other kinds: ignoring them would hand the workflow
		// something other than what it asked for, so say so instead.
		errs = append(errs, in.misplaced(c.Kind))
	}

	// api-url, else the workflow's own API, else (outside a runner, where
	// GITHUB_API_URL is not set) github.com's.
	if c.API, err = parseAPIURL(cmp.Or(in.APIURL, in.WorkflowAPIURL, "https://api.github.com")); err != nil {
		errs = append(errs, err)
	} else {
		c.Server = serverURL(c.API, in.WorkflowAPIURL, in.WorkflowServerURL)
	}

	c.Timeout, err = parseTimeout(in.Timeout)
	errs = append(errs, err)

	if in.OutputFile == "" {
		errs = append(errs, errors.New("GITHUB_OUTPUT is not set: run this as a GitHub Actions step, or set GITHUB_OUTPUT to a file to receive the outputs"))
	}

	if err := errors.Join(errs...); err != nil { // drops nils: a nil entry is no problem
		return nil, err
	}
	return c, nil
}

// parseCredential checks that exactly one credential is given: token, or
// app-id (or client-id) with private-key, which must parse and be for a
// target of a scope an App can mint for (the target's; "" if that failed).
func (in *Inputs) parseCredential(scope target.Scope) (Credential, []error) {
	given := in.set("app-id", "client-id", "private-key")
	if len(given) == 0 {
		if in.Token == "" {
			return Credential{}, []error{errors.New("input token is required, or app-id with private-key: pass a personal access token with admin rights on the target, e.g. token: ${{ secrets.RUNNER_ADMIN_TOKEN }}, or a GitHub App's app-id (or client-id) and private-key")}
		}
		return Credential{Token: in.Token}, nil
	}
	var errs []error
	if in.Token != "" {
		errs = append(errs, fmt.Errorf("inputs token and %s are both set: pass one credential, either token or a GitHub App's app-id (or client-id) with private-key", strings.Join(given, "/")))
	}
	var (
		app App
		err error
	)
	// The App's identity: its Client ID or App ID, from either input.
	id, identity := in.AppID, "app-id"
	if in.AppID == "" || in.AppID == in.ClientID {
		id, identity = in.ClientID, "client-id"
	}
	switch {
	case in.AppID == "" && in.ClientID == "":
		errs = append(errs, errors.New("input app-id is required with private-key, or client-id: pass the GitHub App's App ID (app-id) or Client ID (client-id), from the app's settings page"))
	case in.AppID != "" && in.ClientID != "" && in.AppID != in.ClientID:
		errs = append(errs, errors.New("inputs app-id and client-id are both set, to different values: identify the GitHub App once, by its Client ID (client-id) or its App ID (app-id)"))
	default:
		app.ID, err = parseAppID(identity, id)
		errs = append(errs, err)
	}
	if in.PrivateKey == "" {
		errs = append(errs, fmt.Errorf("input private-key is required with %s: pass the GitHub App's private key, e.g. private-key: ${{ secrets.APP_PRIVATE_KEY }}", identity))
	} else if app.Key, err = parsePrivateKey(in.PrivateKey); err != nil {
		errs = append(errs, err)
	}
	if scope == target.Enterprise {
		errs = append(errs, errors.New("a GitHub App cannot mint runner tokens for an enterprise: "+
			"GitHub's enterprise self-hosted runner endpoints do not accept GitHub App installation tokens, "+
			"and an app installed on an enterprise gets no runner permission. "+
			"Pass token: a classic personal access token with the manage_runners:enterprise scope, "+
			"or register the runners in an organization, where the app works"))
	}
	return Credential{App: &app}, errs
}

// set names those of the inputs called names that are set, in Inputs' order.
func (in *Inputs) set(names ...string) []string {
	var set []string
	for _, i := range in.inputs() {
		if i.value != "" && slices.Contains(names, i.name) {
			set = append(set, i.name)
		}
	}
	return set
}

func (in *Inputs) parseTarget() (target.Target, error) {
	set := in.set("repository", "organization", "enterprise")
	switch {
	case len(set) > 1:
		return target.Target{}, fmt.Errorf("inputs %s are all set: set at most one of repository, organization and enterprise", strings.Join(set, " and "))
	case in.Organization != "":
		return target.ParseOrganization(in.Organization)
	case in.Enterprise != "":
		return target.ParseEnterprise(in.Enterprise)
	case in.Repository != "":
		return target.ParseRepository(in.Repository)
	case in.WorkflowRepository != "":
		t, err := target.ParseRepository(in.WorkflowRepository)
		if err != nil {
			return t, fmt.Errorf("GITHUB_REPOSITORY: %w", err)
		}
		return t, nil
	}
	return target.Target{}, errors.New("no target: set one of the inputs repository, organization or enterprise (GITHUB_REPOSITORY, the default, is not set)")
}

// misplaced refuses the inputs that are set but do not apply to kind, one
// line per set of kinds they apply to.
func (in *Inputs) misplaced(kind Kind) error {
	var (
		order []string                // the sets of kinds, as first met
		names = map[string][]string{} // the misplaced inputs, by set of kinds
	)
	for _, i := range in.inputs() {
		if i.value == "" || i.kinds == "" || slices.Contains(strings.Split(i.kinds, ", "), string(kind)) {
			continue
		}
		if names[i.kinds] == nil {
			order = append(order, i.kinds)
		}
		names[i.kinds] = append(names[i.kinds], i.name)
	}
	var errs []error
	for _, group := range order {
		n := names[group]
		subject, it := fmt.Sprintf("inputs %s apply", strings.Join(n, ", ")), "them"
		if len(n) == 1 {
			subject, it = fmt.Sprintf("input %s applies", n[0]), "it"
		}
		applies, set := "kind "+group, "kind: "+group
		if strings.Contains(group, ",") {
			applies, set = "kinds "+group, "kind to one of "+group
		}
		errs = append(errs, fmt.Errorf("%s only to %s: remove %s, or set %s", subject, applies, it, set))
	}
	return errors.Join(errs...)
}

// Timeouts a step may have: long enough for one wait on a secondary rate
// limit (GitHub asks for a minute), short enough not to hold a job for long.
const (
	minTimeout = 5 * time.Second
	MaxTimeout = time.Hour
)

// parseTimeout takes a Go duration ("90s", "2m") or whole seconds ("120"),
// signed or not, as strconv reads them. ParseDuration refuses a value that
// overflows, so a huge one is never wrapped round into a small duration.
func parseTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if strings.Trim(s, "+-0123456789") == "" { // whole seconds
		d, err = time.ParseDuration(s + "s")
	}
	if err != nil || d < minTimeout || d > MaxTimeout {
		return 0, fmt.Errorf("input timeout %q is not a duration from %s to %s: give one such as 2m, 90s or 120 (seconds)", s, ShortDuration(minTimeout), ShortDuration(MaxTimeout))
	}
	return d, nil
}

// ShortDuration writes d as the README and action.yml do: 1h, not 1h0m0s,
// and 2m, not 2m0s.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// LogValue shows the inputs with every credential redacted.
func (in *Inputs) LogValue() slog.Value {
	var attrs []slog.Attr
	for _, i := range in.inputs() {
		if i.secret && i.value != "" {
			i.value = "[redacted]"
		}
		attrs = append(attrs, slog.String(i.name, i.value))
	}
	return slog.GroupValue(attrs...)
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
	case u.Scheme == "http" && !strings.EqualFold(u.Hostname(), "localhost") && !net.ParseIP(u.Hostname()).IsLoopback(): // a host name parses to a nil IP, not loopback
		return nil, fmt.Errorf("input api-url %q uses plain http, which would send the credential unencrypted: use https (http is allowed only for loopback hosts)", shown)
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("input api-url %q has scheme %q: use https", shown, u.Scheme)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("input api-url %q has a query or fragment: give the API's base URL only", shown)
	}
	return u, nil
}

var gheComAPI = regexp.MustCompile(`^api\.([a-z0-9-]+)\.ghe\.com$`)

// serverURL works out the web host that runners register against. The
// workflow's own GITHUB_SERVER_URL is right when the action talks to the
// workflow's own API; otherwise the API URL's shape tells: api.github.com,
// api.SUB.ghe.com, or a GHES https://HOST/api/v3; failing that,
// GITHUB_SERVER_URL all the same, else the API's own host.
func serverURL(api *url.URL, workflowAPI, workflowServer string) *url.URL {
	given, err := url.Parse(workflowServer)
	usable := err == nil && given.Host != "" // not when unset
	if usable && strings.EqualFold(strings.TrimSuffix(api.String(), "/"), strings.TrimSuffix(workflowAPI, "/")) {
		return given
	}
	host := strings.ToLower(api.Hostname())
	ghesBase, ghes := strings.CutSuffix(strings.TrimSuffix(api.Path, "/"), "/api/v3")
	switch {
	case host == "api.github.com":
		return &url.URL{Scheme: "https", Host: "github.com"}
	case gheComAPI.MatchString(host):
		return &url.URL{Scheme: "https", Host: strings.TrimPrefix(host, "api.")}
	case ghes:
		return &url.URL{Scheme: api.Scheme, Host: api.Host, Path: ghesBase}
	case usable:
		return given
	}
	return &url.URL{Scheme: api.Scheme, Host: api.Host}
}
