// Package jit registers a just-in-time (JIT) runner for a target (one
// config registers one runner for one job) as a transaction: a JIT request
// is not idempotent, so a failure after a request may have registered the
// runner must never leave a duplicate or orphaned registration behind, and
// must never remove a runner this run cannot prove it created.
//
// The transaction, top to bottom (Register):
//
//	resolve the runner group
//	      │
//	given name? ── taken ──────────────────────────────► name in use
//	      │ free, or a name unique to this run
//	      ▼
//	POST generate-jitconfig ◄──────────────────────────────┐
//	      │                                                │
//	      ├─ 201, usable ──► Config (handed over)          │
//	      ├─ 201, unusable ──► undo: remove by the id the answer gave
//	      ├─ 409, no earlier try of this run may have applied ─► name in use
//	      ├─ 409 after such a try, or no clear answer (5xx, lost):
//	      │     find by exact name → prove it is this run's → remove ─┘
//	      │     (at most maxPosts POSTs in all)
//	      └─ any other failure ──► undo
//
//	undo: nothing was sent                 → nothing to undo
//	      GitHub answered with runner id N → remove N
//	      no clear answer                  → find by exact name → prove → remove
//
// A runner is proven this run's only if its name is this run's (unique to
// it, or answered with success to its request) and it is as this run's lost
// registration would be: offline, never used, in the group and with the
// labels asked for.
package jit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/runners"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// Registrar registers JIT runners through one API client, whose policy
// retries every request (see retry.Policy) but never replays the
// registration itself: this package recovers it.
type Registrar struct {
	Client *github.Client
	// Log reports, as it happens, what a recovery does. It is only called
	// before a config exists, so it can never write one.
	Log func(format string, args ...any)
	// Pause waits before registering again after a recovery, as the retry
	// policy waits between tries (retry.Policy.Pause); nil does not wait.
	Pause func(ctx context.Context, n int) error
}

// Config is a minted JIT runner config and the runner it registers.
type Config struct {
	// Encoded is GitHub's encoded_jit_config, for run.sh --jitconfig. It is
	// a secret: it lets whoever holds it run a job as this runner.
	Encoded string
	Runner  runners.Runner
	Group   RunnerGroup
	tx      *transaction // that registered it, to undo it
}

// recovering is what the log says when the transaction recovers: the
// failure itself is in the error, if the step fails.
const recovering = "The registration got no clear answer, or found its name taken: looking for a runner this run may have registered before trying again."

// maxPosts bounds the registrations one transaction sends.
const maxPosts = 3

// Register registers a runner for req in t and returns its JIT config, as
// the transaction the package doc draws. A failed transaction is undone in
// cleanup, which outlives ctx's cancellation by the grace its owner (the
// step) allows.
func (m *Registrar) Register(ctx, cleanup context.Context, t target.Target, req config.JITRequest) (*Config, error) {
	tx := &transaction{m: m, t: t, req: req}
	cfg, err := tx.run(ctx)
	if err != nil {
		return nil, fmt.Errorf("could not mint a JIT runner config for %s: %w", t, tx.undo(cleanup, err))
	}
	cfg.tx = tx
	return cfg, nil
}

// Undo removes the runner c registers, by its id, for a step that fails
// after Register succeeded (its outputs could not be written, say): nobody
// will start that runner. ctx is the clean-up context; Undo returns cause
// with what it did.
func (c *Config) Undo(ctx context.Context, cause error) error { return c.tx.undo(ctx, cause) }

// outcome is what this run's requests may have left registered.
type outcome int

const (
	// nothingSent: no request of this run can have registered a runner.
	nothingSent outcome = iota
	// unclear: a request got no clear answer, so a runner with req's exact
	// name may be this run's.
	unclear
	// registered: GitHub answered success; the runner is this run's, and
	// id is its id if the answer said.
	registered
)

// transaction is one run's registration of req's runner.
type transaction struct {
	m       *Registrar
	t       target.Target
	req     config.JITRequest
	group   RunnerGroup
	outcome outcome
	id      int64
	// inUse: the error names the runner holding req's name, which this run
	// cannot prove it registered; undo leaves it alone.
	inUse bool
}

func (tx *transaction) run(ctx context.Context) (*Config, error) {
	var err error
	if tx.group, err = tx.m.resolveGroup(ctx, tx.t, tx.req.Group); err != nil {
		return nil, err
	}
	if !tx.req.Generated {
		// A name the user chose may be someone else's runner: say so before
		// registering anything.
		r, err := runners.Find(ctx, tx.m.Client, tx.t, tx.req.Name)
		if err != nil {
			return nil, err
		}
		if r != nil {
			return nil, tx.nameInUse(r, nil, "")
		}
	}
	for posts := 1; ; posts++ {
		before := tx.outcome
		cfg, err := tx.post(ctx)
		conflict := isConflict(err)
		switch {
		case err == nil:
			return cfg, nil
		case tx.outcome == registered || posts == maxPosts || ctx.Err() != nil:
			return nil, err
		case conflict && before == nothingSent:
			// No try of this run can hold the name: another job's runner.
			run, _ := runners.Find(ctx, tx.m.Client, tx.t, tx.req.Name)
			return nil, tx.nameInUse(run, err, "another job registered it; no request of this run can have")
		case conflict || githubapi.MayHaveApplied(err):
			tx.m.Log(recovering)
			if err := tx.recover(ctx, err, conflict); err != nil {
				return nil, err
			}
			if tx.m.Pause != nil {
				if perr := tx.m.Pause(ctx, posts); perr != nil {
					//nolint:errorlint // the pause's failure is context; only err may be matched by errors.Is/As
					return nil, fmt.Errorf("%w; not registering again: %v", err, perr)
				}
			}
		default:
			return nil, err
		}
	}
}

// post sends one generate-jitconfig request, which the policy does not
// replay, and notes what it may have registered.
func (tx *transaction) post(ctx context.Context) (*Config, error) {
	// Every field of the published schema is set, work_folder included, so
	// the runner's work folder never depends on a server-side default.
	body := &github.GenerateJITConfigRequest{Name: tx.req.Name, RunnerGroupID: tx.group.ID, Labels: tx.req.Labels, WorkFolder: &tx.req.WorkFolder}
	// Into raw JSON, not go-github's answer type, which fails whole on one
	// odd field: the runner's id must be read first, on its own.
	var raw json.RawMessage
	resp, err := githubapi.Do(ctx, tx.m.Client, githubapi.OpRegisterJIT, http.MethodPost, tx.t.APIPath()+"/actions/runners/generate-jitconfig", body, &raw)
	switch {
	case resp != nil && resp.StatusCode >= 200 && resp.StatusCode < 300:
		tx.outcome = registered
	case githubapi.MayHaveApplied(err):
		tx.outcome = max(tx.outcome, unclear)
	}
	if err != nil {
		return nil, err
	}
	cfg, id, err := decodeConfig(raw)
	tx.id = id
	if err != nil {
		return nil, fmt.Errorf("GitHub's answer has no usable JIT config (%w)", err)
	}
	if cfg.Runner.Name.IsEmpty() {
		cfg.Runner.Name = untrusted.Of(tx.req.Name)
	}
	cfg.Group = tx.group
	return cfg, nil
}

// recover removes the runner an earlier try of this run may have
// registered, so that the next try can register the name again. After a
// 409 the name is taken, so the runner must be found and proven; after no
// clear answer, finding none means there is nothing to remove.
func (tx *transaction) recover(ctx context.Context, cause error, conflict bool) error {
	run, err := runners.Find(ctx, tx.m.Client, tx.t, tx.req.Name)
	switch {
	case err != nil:
		return cause // the undo looks again, and says what it found
	case run == nil && conflict:
		return fmt.Errorf("GitHub says runner name %q is in use (%w), but does not list such a runner yet", tx.req.Name, cause)
	case run == nil:
		return nil
	}
	if doubt := tx.doubt(run); doubt != "" {
		return tx.nameInUse(run, cause, "this run cannot prove it registered that runner: "+doubt+". If it is this run's, "+runners.RemoveHint(tx.t, run.ID))
	}
	tx.m.Log("Runner name %q is taken by runner id %d, which an earlier try of this run registered (%s, never used). Removing it and registering again.", tx.req.Name, run.ID, run.State())
	if _, err := runners.Remove(ctx, tx.m.Client, tx.t, run.ID); err != nil {
		return err
	}
	tx.outcome = nothingSent // what this run registered so far is gone
	return nil
}

// nameInUse is the error for req's name held by run (nil if it could not
// be looked up), which this run cannot prove it registered, for why; cause
// is the failure that found the name taken, if any. That runner is never
// removed.
func (tx *transaction) nameInUse(run *runners.Runner, cause error, why string) error {
	tx.inUse = true
	msg := fmt.Sprintf("runner name %q is already in use in %s", tx.req.Name, tx.t)
	if run != nil {
		msg += fmt.Sprintf(" by runner id %d (%s)", run.ID, run.State())
	}
	const choose = ". Choose another runner-name, or leave runner-name empty for a name unique to this run; this action never removes a runner it did not register"
	if cause == nil {
		return errors.New(msg + choose)
	}
	return fmt.Errorf("%s (%w); %s%s", msg, cause, why, choose)
}

// undo ends a failed transaction: it removes what this run's requests may
// have registered, if it can prove the runner is this run's, within the
// clean-up context. The error is cause, said plainly, then what was done.
func (tx *transaction) undo(cleanup context.Context, cause error) error {
	if tx.outcome == nothingSent || tx.inUse {
		// Nothing may have been registered, or what holds the name is
		// already named, and is not provably this run's.
		return cause
	}
	name, id := tx.req.Name, tx.id
	if tx.outcome != registered || id == 0 {
		// No answer named the runner: find it by the exact name, and prove it.
		run, err := runners.Find(cleanup, tx.m.Client, tx.t, name)
		switch {
		case err != nil:
			//nolint:errorlint // the look-up's failure is context; only cause may be matched by errors.Is/As
			return fmt.Errorf("%w. A runner named %q may have been registered by this run, and looking for it failed (%v): if it appears in %s's runner settings, remove it", cause, name, err, tx.t)
		case run == nil:
			return fmt.Errorf("%w. GitHub lists no runner named %q, but one may have been registered all the same (its list can lag): if it appears in %s's runner settings, remove it", cause, name, tx.t)
		}
		if doubt := tx.doubt(run); doubt != "" {
			return fmt.Errorf("%w. Runner %q (id %d, %s, labels %v) has the name and was left alone: %s. If it is this run's, %s", cause, run.Name, run.ID, run.State(), run.Labels, doubt, runners.RemoveHint(tx.t, run.ID))
		}
		id = run.ID
	}
	if _, err := runners.Remove(cleanup, tx.m.Client, tx.t, id); err != nil {
		//nolint:errorlint // the removal's failure is context; only cause may be matched by errors.Is/As
		return fmt.Errorf("%w. Runner %q (id %d), which this run registered, could not be removed (%v): %s", cause, name, id, err, runners.RemoveHint(tx.t, id))
	}
	return fmt.Errorf("%w. Runner %q (id %d), which this run registered, was removed", cause, name, id)
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
		return nil, 0, fmt.Errorf("the answer is not a JSON object: %w", err)
	}
	var id struct {
		ID int64 `json:"id"`
	}
	_ = json.Unmarshal(answer.Runner, &id)
	var cfg Config
	switch {
	case len(answer.Encoded) == 0 || json.Unmarshal(answer.Encoded, &cfg.Encoded) != nil || cfg.Encoded == "":
		return nil, id.ID, errors.New("no encoded_jit_config string")
	case len(answer.Runner) == 0 || id.ID <= 0:
		return nil, id.ID, errors.New("no runner id")
	}
	if err := json.Unmarshal(answer.Runner, &cfg.Runner); err != nil {
		return nil, id.ID, fmt.Errorf("the runner is not as GitHub describes runners: %w", err)
	}
	return &cfg, id.ID, nil
}

func isConflict(err error) bool {
	e, ok := errors.AsType[*githubapi.Error](err)
	return ok && e.StatusCode == http.StatusConflict
}
