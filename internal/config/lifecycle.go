package config

// The inputs of kind delete-runner (which runner) and runner-platform
// (which runner application to download), checked before any request.

import (
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// RunnerRef is the runner kind delete-runner removes, or kind wait waits
// for: by the id GitHub gave it, or by its name. Exactly one is set.
type RunnerRef struct {
	ID   int64
	Name string
}

func (r RunnerRef) String() string {
	if r.ID != 0 {
		return fmt.Sprintf("runner id %d", r.ID)
	}
	return fmt.Sprintf("runner %q", r.Name)
}

// parseRunnerRef reads runner-id or runner-name for kind, which "does" one
// runner: removes it, waits for it.
func (in *Inputs) parseRunnerRef(kind Kind, does string) (RunnerRef, error) {
	switch {
	case in.RunnerID != "" && in.RunnerName != "":
		return RunnerRef{}, fmt.Errorf("inputs runner-id and runner-name are both set: kind %s %s one runner, named by one of them", kind, does)
	case in.RunnerID != "":
		// The number a kind-jit step's runner-id output holds.
		id, err := strconv.ParseInt(in.RunnerID, 10, 64)
		if err != nil || id < 1 || !digits(in.RunnerID) {
			return RunnerRef{}, fmt.Errorf("input runner-id %q is not a runner id: give the number GitHub gave the runner (a kind: jit step's runner-id output), or its name as runner-name", in.RunnerID)
		}
		return RunnerRef{ID: id}, nil
	case in.RunnerName != "":
		name, err := parseName(in.RunnerName)
		return RunnerRef{Name: name}, err
	}
	return RunnerRef{}, fmt.Errorf("kind %s needs input runner-id (e.g. the runner-id output of the kind: jit step that registered it) or runner-name", kind)
}

// Platform is a runner application platform as GitHub names them in its
// downloads list: an OS (linux, osx, win) and an architecture (x64, arm64,
// arm). The zero Platform means none was asked for.
type Platform struct{ OS, Arch string }

func (p Platform) String() string { return p.OS + "-" + p.Arch }

// IsZero says whether no platform was asked for.
func (p Platform) IsZero() bool { return p == Platform{} }

// Platforms are those GitHub offers today, for messages; a server may offer
// others, and ParsePlatform accepts any well-formed name.
var Platforms = []string{"linux-x64", "linux-arm64", "linux-arm", "osx-x64", "osx-arm64", "win-x64", "win-arm64"}

// platformAliases are the names people reach for, and GitHub's for them.
var platformAliases = map[string]string{
	"macos": "osx", "darwin": "osx", "mac": "osx", "windows": "win",
	"amd64": "x64", "x86_64": "x64", "x86-64": "x64", "aarch64": "arm64", "armv7": "arm", "armhf": "arm",
}

var platformShape = regexp.MustCompile(`^([a-z0-9_]+)-([a-z0-9_-]+)$`)

// ParsePlatform reads runner-platform, in any letter case: OS-ARCH as
// GitHub names them. A name GitHub spells differently (macos-arm64,
// linux-amd64) is refused with GitHub's spelling. "" is no platform.
func ParsePlatform(s string) (Platform, error) {
	if s == "" {
		return Platform{}, nil
	}
	m := platformShape.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return Platform{}, fmt.Errorf("input runner-platform %q is not OS-ARCH as GitHub names runner platforms: give one of %s", s, strings.Join(Platforms, ", "))
	}
	p := Platform{m[1], m[2]}
	fixed := Platform{cmp.Or(platformAliases[p.OS], p.OS), cmp.Or(platformAliases[p.Arch], p.Arch)}
	if fixed != p {
		return Platform{}, fmt.Errorf("input runner-platform %q: GitHub names this platform %s", s, fixed)
	}
	return p, nil
}
