package config

// The inputs of kind wait (which runner, and which state to wait for) and
// kind prune (which runners, at most how many, and whether only to list
// them), checked before any request.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WaitState is the state kind wait waits for.
type WaitState string

const (
	// WaitOnline: the runner is connected to GitHub.
	WaitOnline WaitState = "online"
	// WaitIdle: online and not running a job.
	WaitIdle WaitState = "idle"
	// WaitGone: the runner is no longer registered (an ephemeral runner
	// after its job).
	WaitGone WaitState = "gone"
)

// defaultMaxRemovals is max-removals when it is not set.
const defaultMaxRemovals = 10

// PruneRequest is what kind prune removes: the offline, idle runners whose
// names start with Prefix and that carry every label in Labels (either
// filter may be empty, not both).
type PruneRequest struct {
	Prefix string
	Labels []string
	// MaxRemovals: when more runners match, nothing is removed.
	MaxRemovals int
	// DryRun lists what would be removed, and removes nothing.
	DryRun bool
}

func (in *Inputs) parseWait() (RunnerRef, WaitState, error) {
	ref, err := in.parseRunnerRef(Wait, "waits for")
	switch state := WaitState(strings.ToLower(in.WaitFor)); state {
	case WaitOnline, WaitIdle, WaitGone:
		return ref, state, err
	case "":
		return ref, "", errors.Join(err, errors.New("kind wait needs input wait-for: online, idle (online and not running a job) or gone (removed; for an ephemeral runner, its job is done)"))
	default:
		return ref, "", errors.Join(err, fmt.Errorf("input wait-for %q is not one of: online, idle, gone", in.WaitFor))
	}
}

func (in *Inputs) parsePrune() (PruneRequest, error) {
	r := PruneRequest{Prefix: in.RunnerNamePrefix, MaxRemovals: defaultMaxRemovals}
	var errs []error
	if in.RunnerNamePrefix == "" && in.RunnerLabels == "" {
		errs = append(errs, errors.New("kind prune needs a filter: set runner-name-prefix, runner-labels or both, so that it removes only the runners you mean"))
	}
	if n := utf8.RuneCountInString(r.Prefix); n > MaxNameLength {
		errs = append(errs, fmt.Errorf("input runner-name-prefix is %d characters long; a runner name has at most %d", n, MaxNameLength))
	} else if strings.ContainsFunc(r.Prefix, unusable) {
		errs = append(errs, fmt.Errorf("input runner-name-prefix %q contains a space or control character, which no runner name has", r.Prefix))
	}
	if in.RunnerLabels != "" { // unset is no label filter, not parseLabels' default
		var err error
		r.Labels, err = parseLabels(in.RunnerLabels)
		errs = append(errs, err)
	}
	if s := in.MaxRemovals; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || !digits(s) {
			errs = append(errs, fmt.Errorf("input max-removals %q is not a number of runners: give 1 or more (default %d)", s, defaultMaxRemovals))
		}
		r.MaxRemovals = n
	}
	switch strings.ToLower(in.DryRun) {
	case "", "false":
	case "true":
		r.DryRun = true
	default:
		errs = append(errs, fmt.Errorf("input dry-run %q is not true or false", in.DryRun))
	}
	return r, errors.Join(errs...)
}
