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

// kinds lists every kind, in the order the docs give them.
var kinds = []Kind{Registration, Remove, JIT, DeleteRunner, Wait, Prune}

// ParseKind reads input kind, in any letter case.
func ParseKind(s string) (Kind, error) {
	var names []string
	for _, k := range kinds {
		if strings.EqualFold(s, string(k)) {
			return k, nil
		}
		names = append(names, string(k))
	}
	return "", fmt.Errorf("input kind %q is not one of: %s", s, strings.Join(names, ", "))
}
