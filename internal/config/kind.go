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
)

// Kinds lists every kind, in the order the docs give them.
var Kinds = []Kind{Registration, Remove, JIT, DeleteRunner}

// ParseKind accepts a kind in any letter case.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if strings.EqualFold(s, string(k)) {
			return k, nil
		}
	}
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return "", fmt.Errorf("kind %q is not one of: %s", s, strings.Join(names, ", "))
}

// Token says whether k is a token (registration and remove), rather than
// a runner config.
func (k Kind) Token() bool { return k == Registration || k == Remove }
