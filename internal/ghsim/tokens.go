package ghsim

// What minted credentials look like: random by default, as tests rely on
// every token being new; derived from what was minted with
// WithDeterministicTokens, so that a workflow run against cmd/ghsim gets
// the same values every time and can assert on them.

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"sync"
)

// WithDeterministicTokens makes every credential the simulator mints a
// function of its kind, its target and how many of that kind the target
// has had so far (N, from 1), instead of random:
//
//   - a registration or remove token is "ghsim-KIND-N-TARGET", e.g.
//     "ghsim-registration-1-orgs/octo-org" (TARGET as in Issued, lower case);
//   - a JIT config's credentials are derived from "ghsim-jit-N-TARGET", so
//     the whole encoded config is the same for the same runner;
//   - an installation token is "ghs_ghsim-installation-N-ID", ID the
//     installation's.
//
// Runner ids count up from 41 in the order runners are registered, with or
// without this option. Expiry times still follow the clock (Now).
func WithDeterministicTokens() Option { return func(o *options) { o.deterministic = true } }

// tokenSource mints credential values. Its zero value mints random ones.
type tokenSource struct {
	deterministic bool
	mu            sync.Mutex
	counts        map[string]int // by "KIND TARGET"
}

// label is "ghsim-KIND-N-TARGET" for the next KIND of target, or "" when
// tokens are random.
func (t *tokenSource) label(kind, target string) string {
	if !t.deterministic {
		return ""
	}
	target = strings.ToLower(target)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts = map[string]int{}
	}
	t.counts[kind+" "+target]++
	return fmt.Sprintf("ghsim-%s-%d-%s", kind, t.counts[kind+" "+target], target)
}

// runnerToken is a registration or remove token. A random one looks like
// GitHub's: 29 upper-case base32 characters.
func (t *tokenSource) runnerToken(kind, target string) string {
	if l := t.label(kind, target); l != "" {
		return l
	}
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return "A" + base32.StdEncoding.EncodeToString(b)[:28]
}

// installationToken is an installation access token, "ghs_" and 36
// letters and digits when random.
func (t *tokenSource) installationToken(installation int64) string {
	if l := t.label("installation", fmt.Sprint(installation)); l != "" {
		return "ghs_" + l
	}
	return "ghs_" + randomAlnum(36)
}

// secret is n bytes for a JIT config's credentials: random, or derived
// from the config's label (SHA-256 of the label and a block counter).
func (t *tokenSource) secret(target string, n int) []byte {
	l := t.label("jit", target)
	if l == "" {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return b
	}
	var out []byte
	for block := 0; len(out) < n; block++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "%s %d", l, block))
		out = append(out, sum[:]...)
	}
	return out[:n]
}
