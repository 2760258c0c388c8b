package config

import (
	"fmt"
	"strings"
)

// Kind is what the action mints.
type Kind string

const (
	// Registration is a token for `config.sh --token`, to register a runner.
	Registration Kind = "registration"
	// Remove is a token for `config.sh remove --token`, to unregister one.
	Remove Kind = "remove"
	// JIT is a just-in-time runner config for `run.sh --jitconfig`: it
	// registers one runner for one job.
	JIT Kind = "jit"
	// DeleteRunner removes a registered runner through the API: nothing is
	// minted.
	DeleteRunner Kind = "delete-runner"
	// Wait waits until a runner is online, idle or gone (wait.go).
	Wait Kind = "wait"
	// Prune removes a target's offline, idle runners that match filters
	// (wait.go).
	Prune Kind = "prune"
)

// Kinds lists every kind, in the order the docs give them.
var Kinds = []Kind{Registration, Remove, JIT, DeleteRunner, Wait, Prune}

// ParseKind accepts a kind in any letter case.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if strings.EqualFold(s, string(k)) {
			return k, nil
		}
	}
	return "", fmt.Errorf("kind %q is not one of: %s", s, list(Kinds))
}

// list names kinds for a message, e.g. "jit, delete-runner" (no kind's
// name has a space).
func list(kinds []Kind) string {
	return strings.ReplaceAll(strings.Trim(fmt.Sprint(kinds), "[]"), " ", ", ")
}
