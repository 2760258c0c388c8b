package ghsim

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mintEverything mints, in a fixed order, every kind of credential the
// simulator issues, and returns them as OnIssue saw them, with the runner
// ids the JIT configs registered.
func mintEverything(t *testing.T, opts ...Option) ([]Issued, []int64) {
	t.Helper()
	s := newSim(t, opts...)
	s.Now = func() time.Time { return simNow }
	s.AddExampleApp(appKey())
	var (
		mu  sync.Mutex
		got []Issued
	)
	s.OnIssue(func(i Issued) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, i)
	})
	for _, path := range []string{
		"/orgs/octo-org/actions/runners/registration-token",
		"/orgs/octo-org/actions/runners/registration-token",
		"/repos/Octo-Org/App/actions/runners/remove-token",
		"/enterprises/octo-ent/actions/runners/registration-token",
	} {
		if status, _, _ := send(t, s, "POST", path, ""); status != 201 {
			t.Fatalf("POST %s: %d", path, status)
		}
	}
	var ids []int64
	for _, name := range []string{"r1", "r2"} {
		status, body, _ := send(t, s, "POST", "/orgs/octo-org/actions/runners/generate-jitconfig", `{"name":"`+name+`","runner_group_id":1,"labels":["self-hosted"]}`)
		if status != 201 {
			t.Fatalf("generate-jitconfig %s: %d", name, status)
		}
		id, _ := body["runner"].(map[string]any)["id"].(float64)
		ids = append(ids, int64(id))
	}
	r := do(t, s, "POST", "/app/installations/"+strconv.Itoa(ExampleInstallationID)+"/access_tokens", "Bearer "+good(t, strconv.Itoa(ExampleAppID)), "")
	if r.Status != 201 {
		t.Fatalf("installation token: %d", r.Status)
	}
	// The installation token is a working credential, whatever it looks like.
	if status, _, _ := roundTrip(t, s, "POST", "/orgs/octo-org/actions/runners/registration-token", "Bearer "+r.Body["token"].(string), ""); status != 201 {
		t.Errorf("minting with the installation token: %d", status)
	}
	mu.Lock()
	defer mu.Unlock()
	return got, ids
}

func TestDeterministicTokens(t *testing.T) {
	t.Parallel()
	first, firstIDs := mintEverything(t, WithDeterministicTokens())
	second, secondIDs := mintEverything(t, WithDeterministicTokens())
	// Compared without printing a credential.
	if len(first) != len(second) {
		t.Fatalf("two simulators minted %d and %d credentials", len(first), len(second))
	}
	for n := range first {
		if first[n] != second[n] {
			t.Errorf("credential %d (%s for %s) differs between two simulators", n+1, first[n].Kind, first[n].Target)
		}
	}
	if diff := cmp.Diff(firstIDs, secondIDs); diff != "" {
		t.Errorf("runner ids differ (-first +second):\n%s", diff)
	}

	// What each credential is, and whether it is the documented value.
	type minted struct{ Kind, Target, Token string }
	want := []minted{
		{"registration", "orgs/octo-org", "ghsim-registration-1-orgs/octo-org"},
		{"registration", "orgs/octo-org", "ghsim-registration-2-orgs/octo-org"},
		{"remove", "repos/Octo-Org/App", "ghsim-remove-1-repos/octo-org/app"},
		{"registration", "enterprises/octo-ent", "ghsim-registration-1-enterprises/octo-ent"},
		{"installation", "installations/7000001", "ghs_ghsim-installation-1-7000001"},
		{"registration", "orgs/octo-org", "ghsim-registration-3-orgs/octo-org"},
	}
	var got []minted
	n := 0
	for _, i := range first {
		if i.Kind == "jit" {
			continue
		}
		m := minted{i.Kind, i.Target, "not as documented"}
		if n < len(want) && i.Token == want[n].Token {
			m.Token = i.Token
		}
		got = append(got, m)
		n++
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}

	// Two JIT configs, different from each other, each naming its runner.
	var configs []string
	for _, i := range first {
		if i.Kind == "jit" {
			configs = append(configs, i.Token)
		}
	}
	if len(configs) != 2 || configs[0] == configs[1] {
		t.Fatalf("%d JIT configs, or two equal ones", len(configs))
	}
	if diff := cmp.Diff([]int64{41, 42}, firstIDs); diff != "" {
		t.Errorf("runner ids (-want +got):\n%s", diff)
	}
	for n, cfg := range configs {
		if r := decodeRunner(t, cfg); r.AgentID != firstIDs[n] || r.AgentName != "r"+strconv.Itoa(n+1) {
			t.Errorf("JIT config %d is for %+v", n+1, r)
		}
	}
}

func TestTokensAreRandomByDefault(t *testing.T) {
	t.Parallel()
	first, _ := mintEverything(t)
	second, _ := mintEverything(t)
	seen := map[string]bool{}
	for _, i := range append(first, second...) {
		if seen[i.Token] {
			t.Errorf("a %s credential for %s was minted twice", i.Kind, i.Target)
		}
		seen[i.Token] = true
	}
	if len(seen) != 16 {
		t.Errorf("%d distinct credentials, want 16", len(seen))
	}
}

type jitRunner struct {
	AgentID   int64  `json:"agentId"`
	AgentName string `json:"agentName"`
}

// decodeRunner reads the .runner settings out of an encoded JIT config.
func decodeRunner(t *testing.T, cfg string) jitRunner {
	t.Helper()
	doc, err := base64.StdEncoding.DecodeString(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var files map[string]string
	if err := json.Unmarshal(doc, &files); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(files[".runner"])
	if err != nil {
		t.Fatal(err)
	}
	var r jitRunner
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r
}
