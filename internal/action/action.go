// Package action is the action's core: read the inputs, mint the credential,
// mask it, and hand it to the workflow as outputs. Everything it touches in
// the outside world comes in through Env, so tests run it whole.
package action

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/sethvargo/go-githubactions"

	"github.com/runnertoken/runner-token-action/internal/advice"
	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/retry"
	"github.com/runnertoken/runner-token-action/internal/runnertoken"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// Env is what the action takes from its process.
type Env struct {
	Getenv func(string) string
	// Environ lists the environment as os.Environ does; only the names of
	// its INPUT_ variables are used, to refuse a misspelt input. nil skips
	// that check.
	Environ    func() []string
	Stdout     io.Writer
	HTTPClient *http.Client
	// Now and Sleep are the clock retries wait on, and Jitter the random
	// part of each wait; nil means the real ones. Tests inject them so that
	// nothing really waits, and waits are known.
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Jitter func() float64
}

// Main runs the action. It returns the process exit code: 0, or 1 after
// writing one ::error:: annotation that says what failed, why and what to do.
func Main(ctx context.Context, env Env) int {
	s := newStep(env)
	err := s.run(ctx)
	if err == nil {
		return 0
	}
	if s.situation != nil {
		if a := advice.For(err, *s.situation); a != "" {
			err = fmt.Errorf("%w. %s", err, a)
		}
	}
	goal, title := "a credential was minted", "Runner credential not minted"
	switch s.kind {
	case config.DeleteRunner:
		goal, title = "the runner's removal was confirmed", "Runner not removed"
	case config.Wait:
		goal, title = "the runner was in the state waited for", "Runner not in the state waited for"
	case config.Prune:
		goal, title = "the prune finished", "Runners not pruned"
	}
	switch {
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		err = fmt.Errorf("cancelled before %s: %w", goal, err)
	case s.timedOut && errors.Is(err, context.DeadlineExceeded):
		err = fmt.Errorf("the step's timeout (%s) ran out before %s: %w; raise the timeout input if GitHub is slow, or try again", s.timeout, goal, err)
	}
	// The error text includes what servers said; never let it carry a
	// secret, or flood the log.
	s.gha.WithFieldsMap(map[string]string{"title": title}).
		Errorf("%s", untrusted.Clip(redact(err.Error(), s.secrets), maxError))
	return 1
}

// maxError bounds the one error annotation: a few KiB say everything a
// user can act on.
const maxError = 4096

// step is one run of the action.
type step struct {
	env Env
	// mu serialises what the step writes (the mint and the download
	// look-up log their retries concurrently), and guards secrets.
	mu      sync.Mutex
	gha     *githubactions.Action
	secrets []string
	// kind is what the step does, once the inputs parse.
	kind config.Kind
	// situation is what the step was doing, for advice on a failure; nil
	// until the inputs parse.
	situation *advice.Situation
	// timeout is the step's deadline, and timedOut whether it passed.
	timeout  time.Duration
	timedOut bool
}

func newStep(env Env) *step {
	return &step{
		env: env,
		gha: githubactions.New(githubactions.WithGetenv(env.Getenv), githubactions.WithWriter(lineWriter{env.Stdout})),
	}
}

// handover is what a kind's work, or the runner-platform look-up, hands to
// the workflow.
type handover struct {
	// outputs are written all at once, or not at all; a secret one (the
	// credential) is masked before anything else is written.
	outputs  []output
	log      []string // shown once the outputs are set
	notice   string   // a notice annotation, shown with the log
	warnings []string // warning annotations, shown with the log
	summary  string   // markdown for the step summary; never a secret
	// undo, if set, removes what minting created, for a step that fails
	// after it: it returns cause with what it did.
	undo func(ctx context.Context, cause error) error
	// done says something irreversible happened (a runner was removed):
	// the step reports it as done, and later trouble is only a warning.
	done bool
	// fail, if set, fails the step once all of the above is handed over:
	// a prune some of whose removals failed.
	fail error
}

func (s *step) run(ctx context.Context) error {
	in, err := config.Read(ctx, s.env.Getenv)
	if err != nil {
		return err
	}
	// Credential inputs are masked before anything else is written: they may
	// not come from a secret, and the runner masks only what it is told.
	for _, v := range in.Secrets() {
		s.mask(v)
	}
	s.kind, _ = config.ParseKind(in.Kind) // for the failure's wording, even if other inputs are wrong
	var misspelt error
	if s.env.Environ != nil {
		// Before any request: a misspelt input could change the target.
		var unknown []string
		unknown, misspelt = config.UnknownInputs(s.env.Environ())
		if w := config.UnknownInputsWarning(unknown); w != "" {
			s.gha.Warningf("%s", redact(w, s.secrets))
		}
	}
	cfg, err := in.Parse()
	if err = errors.Join(misspelt, err); err != nil {
		return fmt.Errorf("the action's inputs need fixing:\n%w", err)
	}
	s.situation = &advice.Situation{Target: cfg.Target, Group: cfg.JIT.Group}
	if app := cfg.Credential.App; app != nil {
		s.situation.App = app.ID
	}
	// One deadline for everything: no request, retry or wait may pass it.
	s.timeout = cfg.Timeout
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer func() {
		s.timedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
		cancel()
	}()
	// Whatever is undone or revoked, by whichever part of the step, shares
	// one grace past the deadline or a cancellation.
	cleanup, stopCleanup := cleanupContext(ctx)
	defer stopCleanup()

	cred := &credential{token: cfg.Credential.Token, release: func(context.Context) {}}
	if cfg.Credential.App != nil {
		if cred, err = s.appCredential(ctx, cfg); err != nil { // app.go
			return err
		}
	}
	client := githubapi.NewClient(s.env.HTTPClient, cfg.API, cred.token, githubapi.WithPolicy(s.policy()))
	// The runner-platform download (download.go) is looked up alongside the
	// mint, so that the step takes no longer; without runner-platform there
	// is nothing to look up, and no request.
	var (
		dl    handover
		dlErr error
		wg    sync.WaitGroup
	)
	dlCtx, stopDownload := context.WithCancel(ctx)
	defer stopDownload()
	if !cfg.Platform.IsZero() {
		wg.Go(func() { dl, dlErr = findDownload(dlCtx, client, cfg) })
	}
	h, err := s.mint(ctx, cleanup, client, cfg)
	if err != nil {
		stopDownload() // what it finds is of no use now
	} else {
		for _, o := range h.outputs {
			if o.secret {
				s.mask(o.value)
			}
		}
		// Every kind hands on the target's runner URL, last of its outputs.
		h.outputs = append(h.outputs, output{"runner-url", cfg.Target.RunnerURL(cfg.Server), false})
	}
	wg.Wait()
	switch {
	case err == nil && h.done:
		// Done, whatever comes next: the step says so, and warns of the rest.
		if err := s.setOutputs(slices.Concat(h.outputs, cred.outputs)); err != nil {
			h.warnings = append(h.warnings, err.Error())
		}
	case err == nil:
		// All or nothing: a runner without its download is no use, and one
		// minted after a cancellation or the deadline nobody will use.
		err = cmp.Or(dlErr, ctx.Err())
		if err == nil {
			err = s.setOutputs(slices.Concat(h.outputs, dl.outputs, cred.outputs))
		}
		if err != nil && h.undo != nil {
			// With the credential still valid: a runner nobody will start
			// must not stay registered.
			err = h.undo(cleanup, err)
		}
	}
	// The credential used to mint is no longer needed, whatever happened.
	cred.release(cleanup)
	if err != nil {
		return err
	}
	for _, l := range slices.Concat(h.log, dl.log) {
		s.info("%s", l)
	}
	if h.notice != "" {
		s.gha.Noticef("%s", h.notice)
	}
	for _, w := range slices.Concat(h.warnings, dl.warnings) {
		s.gha.Warningf("%s", redact(w, s.secrets))
	}
	s.summary(cfg.SummaryFile, h.summary+dl.summary)
	return h.fail
}

// grace is how long undoing what the step created (removing a runner,
// revoking a token) may go on after the step's deadline passed or the job
// was cancelled: the runner kills a cancelled step within seconds.
const grace = 5 * time.Second

// cleanupContext is the one context every undo of the step shares: it
// survives ctx's cancellation, and ends grace after it, or grace after
// ctx's deadline, whichever comes first.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	end := time.Now().Add(grace)
	if d, ok := ctx.Deadline(); ok && ctx.Err() == nil {
		end = d.Add(grace)
	}
	cctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), end)
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })
	return cctx, func() { stop(); cancel() }
}

// policy is how the step's requests are retried: on the step's clock (the
// real one unless Env says otherwise), which the step's own waits use too,
// with each retry said in the log and each request in the debug log.
// Neither line ever holds a credential, but they include what servers said,
// so they are masked like everything else.
func (s *step) policy() retry.Policy {
	return retry.Policy{
		Now:    s.env.Now,
		Sleep:  s.env.Sleep,
		Jitter: s.env.Jitter,
		Log:    s.info,
		Debug: func(format string, args ...any) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.gha.Debugf("%s", redact(fmt.Sprintf(format, args...), s.secrets))
		},
	}.WithDefaults()
}

// credential is what the step calls the API with: a token, the outputs
// that say how it was obtained, and what to do once the runner credential
// is minted (never a failure of the step).
type credential struct {
	token   string
	outputs []output
	release func(context.Context)
}

// mint does what cfg's kind names.
func (s *step) mint(ctx, cleanup context.Context, client *github.Client, cfg *config.Config) (*handover, error) {
	switch cfg.Kind {
	case config.JIT:
		return s.mintJIT(ctx, cleanup, client, cfg) // jit.go
	case config.DeleteRunner:
		return s.deleteRunner(ctx, client, cfg) // delete.go
	case config.Wait:
		return s.waitRunner(ctx, client, cfg) // wait.go
	case config.Prune:
		return s.pruneRunners(ctx, client, cfg) // prune.go
	}
	t, kind := cfg.Target, cfg.Kind
	s.info("Minting a %s token for %s at %s", kind, t, cfg.API.Redacted())
	tok, err := runnertoken.Create(ctx, client, t, kind)
	if err != nil {
		return nil, err
	}
	runnerURL := t.RunnerURL(cfg.Server)
	return &handover{
		outputs: []output{
			{"token", tok.Value, true},
			{"expires-at", tok.ExpiresAt.String(), false},
		},
		log: []string{
			fmt.Sprintf("Minted a %s token for %s, valid until %s.", kind, t, tok.ExpiresAt),
			"Runner URL: " + runnerURL,
		},
		summary: fmt.Sprintf("### Runner %s token minted\n\n| | |\n|---|---|\n| Kind | %s |\n| Target | %s `%s` |\n| Runner URL | %s |\n| Expires at | %s |\n",
			kind, kind, t.Scope, t.Name(), runnerURL, tok.ExpiresAt.Markdown()),
	}, nil
}
