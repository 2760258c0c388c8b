package config

import (
	"strings"
	"testing"
)

func TestParseKind(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Kind{"registration": Registration, "Remove": Remove, "REGISTRATION": Registration, "jit": JIT, "JIT": JIT, "Delete-Runner": DeleteRunner} {
		if got, err := ParseKind(in); err != nil || got != want {
			t.Errorf("ParseKind(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseKind("jit-ish"); err == nil || !strings.Contains(err.Error(), "registration, remove, jit, delete-runner") {
		t.Errorf("ParseKind(bad) error = %v", err)
	}
}
