// Package jit registers a just-in-time (JIT) runner for a target (one
// config registers one runner for one job) as a transaction: a JIT request
// is not idempotent, so a failure after a request may have registered the
// runner must never leave a duplicate or orphaned registration behind, and
// must never remove a runner this run cannot prove it created.
package jit

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/retry"
	"github.com/runnertoken/runner-token-action/internal/runners"
	"github.com/runnertoken/runner-token-action/internal/target"
)

// Registrar registers JIT runners through one API client, whose policy
// retries every request (see retry.Policy): this package never waits
// or retries on its own.
type Registrar struct {
	Client *github.Client
	// Log reports, as it happens, what a reclaim or a clean-up does; nil
	// discards it. It is only called before a config exists, so it can
	// never write one.
	Log func(msg string)
}

// Config is a minted JIT runner config and the runner it registers.
type Config struct {
	// Encoded is GitHub's encoded_jit_config, for run.sh --jitconfig. It is
	// a secret: it lets whoever holds it run a job as this runner.
	Encoded string
	Runner  runners.Runner
	Group   RunnerGroup
}

// ErrNoConfig is wrapped when GitHub answers success without a usable
// config.
var ErrNoConfig = errors.New("GitHub's answer has no usable JIT config")

// Register registers a runner for req in t and returns its JIT config, as a
// transaction: resolve the group, check a given name is free, register,
// and on any failure after a request may have registered the runner,
// reclaim it (see registration.undo). It never removes a runner this run
// cannot prove it registered.
func (m *Registrar) Register(ctx context.Context, t target.Target, req config.JITRequest) (*Config, error) {
	cfg, err := m.register(ctx, t, req)
	if err != nil {
		return nil, fmt.Errorf("could not mint a JIT runner config for %s: %w", t, err)
	}
	return cfg, nil
}

func (m *Registrar) register(ctx context.Context, t target.Target, req config.JITRequest) (*Config, error) {
	group, err := m.resolveGroup(ctx, t, req.Group)
	if err != nil {
		return nil, err
	}
	if !req.Generated {
		// A name the user chose may be someone else's runner: say so before
		// registering anything.
		r, err := runners.Find(ctx, m.Client, t, req.Name)
		if err != nil {
			return nil, err
		}
		if r != nil {
			return nil, &NameInUseError{Name: req.Name, Target: t, Runner: r}
		}
	}
	reg := &registration{m: m, t: t, req: req, group: group}
	cfg, err := reg.register(ctx)
	if err != nil {
		return nil, reg.undo(ctx, err)
	}
	return cfg, nil
}

// Undo removes the runner cfg registered, for a step that fails after Register
// succeeded (its outputs could not be written, say): nobody will start
// that runner. It works within retry.Cleanup's grace, and returns cause
// with what it did.
func (m *Registrar) Undo(ctx context.Context, t target.Target, cfg *Config, cause error) error {
	req := config.JITRequest{Name: cfg.Runner.Name, Labels: cfg.Runner.LabelNames()}
	reg := &registration{m: m, t: t, req: req, group: cfg.Group, maybe: true, answered: true, id: cfg.Runner.ID}
	return reg.undo(ctx, cause)
}

// registration is one run's registration of req's runner: the one place
// that knows whether a runner this run registered may exist.
type registration struct {
	m     *Registrar
	t     target.Target
	req   config.JITRequest
	group RunnerGroup
	// maybe: a request of this run may have registered the runner.
	maybe bool
	// answered: GitHub answered success to this run's request, so the
	// runner with req's name was registered by this run; id is that
	// runner's id, when the answer said it.
	answered bool
	id       int64
	// reclaimed: this run already removed its own runner once to register
	// again.
	reclaimed bool
}

// register asks for the config. The policy replays the request after an
// unclear failure; if an earlier try did register the runner, the replay
// meets 409, and a runner whose name this run generated is reclaimed
// (removed, then registered again) once.
func (r *registration) register(ctx context.Context) (*Config, error) {
	cfg, err := r.generate(ctx)
	if !isConflict(err) {
		return cfg, err
	}
	if !r.req.Generated {
		// A given name was free when checked; a 409 now may be this run's
		// lost registration or another job's, and nothing tells them apart.
		run, _ := runners.Find(ctx, r.m.Client, r.t, r.req.Name)
		why := "another job registered it after this run checked that the name was free"
		if r.maybe {
			why = "an earlier try of this run may have registered it, or another job did: this run cannot prove which, so it is left alone"
			if run != nil {
				why += ". If it is this run's, " + runners.RemoveHint(r.t, run.ID)
			}
		}
		return nil, &NameInUseError{Name: r.req.Name, Target: r.t, Runner: run, Conflict: err, Reason: why}
	}
	if r.reclaimed {
		return nil, fmt.Errorf("%w; a runner of this run with this name was already removed once, and the name is taken again", err)
	}
	// The name is this run's own (random suffix): the runner is one that a
	// replay, or an earlier try, registered.
	r.maybe = true
	run, ferr := runners.Find(ctx, r.m.Client, r.t, r.req.Name)
	switch {
	case ferr != nil:
		return nil, fmt.Errorf("GitHub says runner name %q is in use (%w), and %w", r.req.Name, err, ferr)
	case run == nil:
		return nil, fmt.Errorf("GitHub says runner name %q is in use (%w), but does not list such a runner yet", r.req.Name, err)
	}
	if why := r.disown(run); why != "" {
		return nil, &NameInUseError{Name: r.req.Name, Target: r.t, Runner: run, Conflict: err, Reason: "this run cannot prove it registered that runner: " + why}
	}
	r.m.logf("Runner name %q is taken by runner id %d, which an earlier try of this run registered (%s, never used). Removing it and registering again.", r.req.Name, run.ID, run.State())
	if _, err := runners.Remove(ctx, r.m.Client, r.t, run.ID); err != nil {
		return nil, err
	}
	r.reclaimed = true
	return r.register(ctx)
}

// generate makes one generate-jitconfig call (retried by the policy).
func (r *registration) generate(ctx context.Context) (*Config, error) {
	// Every field of the published schema is set, work_folder included, so
	// the runner's work folder never depends on a server-side default.
	body := &github.GenerateJITConfigRequest{Name: r.req.Name, RunnerGroupID: r.group.ID, Labels: r.req.Labels, WorkFolder: &r.req.WorkFolder}
	// Not GenerateRepoJITConfig and its kin: their answer type fails whole
	// on one odd field, and the runner's id must be read first, on its own.
	var raw json.RawMessage
	resp, err := githubapi.Do(ctx, r.m.Client, githubapi.OpRegisterJIT, http.MethodPost, r.t.APIPath()+"/actions/runners/generate-jitconfig", body, &raw)
	if githubapi.MayHaveApplied(err) {
		r.maybe = true
	}
	if resp != nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// Success: a runner with this exact name is this request's.
		r.maybe, r.answered = true, true
	}
	if err != nil {
		return nil, err
	}
	cfg, id, err := decodeConfig(raw)
	r.id = id
	if err != nil {
		return nil, err
	}
	cfg.Runner.Name = cmp.Or(cfg.Runner.Name, r.req.Name)
	cfg.Group = r.group
	return cfg, nil
}

// decodeConfig reads generate-jitconfig's answer. The runner's id is read
// on its own first, so that a runner whose answer is otherwise unusable
// can still be removed by it.
func decodeConfig(raw []byte) (*Config, int64, error) {
	var answer struct {
		Runner  json.RawMessage `json:"runner"`
		Encoded json.RawMessage `json:"encoded_jit_config"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return nil, 0, fmt.Errorf("%w (the answer is not a JSON object: %w)", ErrNoConfig, err)
	}
	var id struct {
		ID int64 `json:"id"`
	}
	_ = json.Unmarshal(answer.Runner, &id)
	var cfg Config
	switch {
	case len(answer.Encoded) == 0 || json.Unmarshal(answer.Encoded, &cfg.Encoded) != nil || cfg.Encoded == "":
		return nil, id.ID, fmt.Errorf("%w (no encoded_jit_config string)", ErrNoConfig)
	case len(answer.Runner) == 0 || id.ID <= 0:
		return nil, id.ID, fmt.Errorf("%w (no runner id)", ErrNoConfig)
	}
	if err := json.Unmarshal(answer.Runner, &cfg.Runner); err != nil {
		return nil, id.ID, fmt.Errorf("%w (the runner is not as GitHub describes runners: %w)", ErrNoConfig, err)
	}
	return &cfg, id.ID, nil
}

// disown says why run cannot be shown to be the runner this run
// registered, or "" if it is. The name must be this run's: generated by it
// (a random suffix), or answered with success to its request; a given name
// alone proves nothing, as another job may have registered it meanwhile.
// Then the runner must be as this run's lost registration would be (see
// unproven), and the one GitHub named, if it did.
func (r *registration) disown(run *runners.Runner) string {
	switch {
	case r.id != 0 && run.ID != r.id:
		return fmt.Sprintf("it is runner id %d, and GitHub's answer to this run named runner id %d", run.ID, r.id)
	case !r.req.Generated && !r.answered:
		return "its name was given as runner-name, and another job may have registered that name after this run checked it"
	case r.answered && r.id != 0:
		return "" // GitHub's own success answer named it
	}
	return unproven(run, r.req, r.group)
}

// undo ends a failed registration. If a request of this run may have
// registered the runner, it is found by its exact name and removed if
// disown finds nothing against it, within retry.Cleanup's grace (after
// cancellation too). The error is cause, said plainly, then what was done.
func (r *registration) undo(ctx context.Context, cause error) error {
	if _, inUse := errors.AsType[*NameInUseError](cause); !r.maybe || inUse {
		// Nothing may have been registered, or what holds the name is
		// already named, and is not provably this run's.
		return cause
	}
	cctx, cancel := retry.Cleanup(ctx)
	defer cancel()
	name := r.req.Name
	run, err := runners.Find(cctx, r.m.Client, r.t, name)
	switch {
	case err != nil:
		//nolint:errorlint // the lookup's failure is context; only cause may be matched by errors.Is/As
		return fmt.Errorf("%w. A runner named %q may have been registered by this run, and looking for it failed (%v): if it appears in %s's runner settings, remove it", cause, name, err, r.t)
	case run == nil:
		return fmt.Errorf("%w. GitHub lists no runner named %q, but one may have been registered all the same (its list can lag): if it appears in %s's runner settings, remove it", cause, name, r.t)
	}
	if why := r.disown(run); why != "" {
		return fmt.Errorf("%w. Runner %q (id %d, %s, labels %s) has the name and was left alone: %s. If it is this run's, %s", cause, name, run.ID, run.State(), run.LabelsShown(), why, runners.RemoveHint(r.t, run.ID))
	}
	if _, err := runners.Remove(cctx, r.m.Client, r.t, run.ID); err != nil {
		//nolint:errorlint // the delete's failure is context; only cause may be matched by errors.Is/As
		return fmt.Errorf("%w. Runner %q (id %d), which this run registered, could not be removed (%v): %s", cause, name, run.ID, err, runners.RemoveHint(r.t, run.ID))
	}
	return fmt.Errorf("%w. Runner %q (id %d), which this run registered, was removed", cause, name, run.ID)
}

func (m *Registrar) logf(format string, args ...any) {
	if m.Log != nil {
		m.Log(fmt.Sprintf(format, args...))
	}
}

func isConflict(err error) bool {
	var e *githubapi.Error
	return errors.As(err, &e) && e.StatusCode == http.StatusConflict
}

// NameInUseError is returned when the runner name belongs to a runner this
// run cannot prove it registered. That runner is never removed.
type NameInUseError struct {
	Name   string
	Target target.Target
	// Runner is the runner with the name, if it could be looked up.
	Runner *runners.Runner
	// Conflict is GitHub's 409, when the name was found taken by it.
	Conflict error
	// Reason says why the runner is not taken to be this run's.
	Reason string
}

func (e *NameInUseError) Error() string {
	msg := fmt.Sprintf("runner name %q is already in use in %s", e.Name, e.Target)
	if e.Runner != nil {
		msg += fmt.Sprintf(" by runner id %d (%s)", e.Runner.ID, e.Runner.State())
	}
	if e.Conflict != nil {
		msg += " (" + e.Conflict.Error() + ")"
	}
	if e.Reason != "" {
		msg += "; " + e.Reason
	}
	return msg + ". Choose another runner-name, or leave runner-name empty for a name unique to this run; this action never removes a runner it did not register"
}

func (e *NameInUseError) Unwrap() error { return e.Conflict }
