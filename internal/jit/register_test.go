package jit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/advice"
	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/fakeclock"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/retry"
	"github.com/runnertoken/runner-token-action/internal/target"
)

const adminToken = "ghp_jitAdminJitAdminJitAdminJitAdmin0001"

var (
	repo = target.Target{Scope: target.Repository, Owner: "octo-org", Repo: "app"}
	org  = target.Target{Scope: target.Organization, Owner: "octo-org"}
	ent  = target.Target{Scope: target.Enterprise, Owner: "octo-ent"}
)

// fixture is a simulator and a Registrar that talks to it through the retry
// policy, on a fake clock: waits are recorded instead of slept.
type fixture struct {
	t    *testing.T
	sim  *ghsim.Server
	m    *Registrar
	clk  *fakeclock.Clock
	mu   sync.Mutex
	logs []string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sim := ghsim.Start(t)
	sim.AddCredential("admin", adminToken, ghsim.Credential{Admin: []string{"octo-org/app", "octo-org", "enterprises/octo-ent"}})
	sim.AddCredential("fine", "github_pat_fine", ghsim.Credential{Type: ghsim.FineGrainedPAT})
	f := &fixture{t: t, sim: sim, clk: fakeclock.New(time.Now())}
	f.m = &Registrar{Client: f.client(adminToken, 2*time.Second), Log: f.log}
	return f
}

// client is an API client with token whose tries time out after timeout.
func (f *fixture) client(token string, timeout time.Duration) *github.Client {
	base, _ := url.Parse(f.sim.URL())
	return githubapi.NewClient(f.sim.Client(), base, token, githubapi.WithPolicy(retry.Policy{
		AttemptTimeout: timeout,
		Now:            f.clk.Now, Sleep: f.clk.Sleep,
		Jitter: func() float64 { return 0 },
		Log:    func(format string, args ...any) { f.log(fmt.Sprintf(format, args...)) },
	}))
}

func (f *fixture) log(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, s)
}

func (f *fixture) waits() []time.Duration { return f.clk.Slept() }

// requests is what the simulator got, as "METHOD path?query" below the API
// root.
func (f *fixture) requests() []string {
	var out []string
	for _, r := range f.sim.Requests() {
		s := r.Method + " " + strings.TrimPrefix(r.Path, "/api/v3/")
		if r.Query != "" {
			s += "?" + r.Query
		}
		out = append(out, s)
	}
	return out
}

func (f *fixture) runners(t target.Target) []ghsim.Runner { return f.sim.Runners(t.APIPath()) }

// checkMinted compares cfg with the one config the simulator issued (never
// printing it) and with the runner the simulator has.
func (f *fixture) checkMinted(cfg *Config, t target.Target, name string) {
	f.t.Helper()
	issued := f.sim.JITConfigs()
	last := issued[len(issued)-1]
	if cfg.Encoded != last.Config {
		f.t.Errorf("config differs from the one the simulator issued last")
	}
	if cfg.Runner.ID != last.RunnerID || cfg.Runner.Name != name {
		f.t.Errorf("runner = id %d %q, want id %d %q", cfg.Runner.ID, cfg.Runner.Name, last.RunnerID, name)
	}
	runners := f.runners(t)
	if len(runners) != 1 || runners[0].ID != cfg.Runner.ID {
		f.t.Errorf("runners registered in %s: %+v, want only id %d", t, runners, cfg.Runner.ID)
	}
}

// shown is what the user sees of err: the error, and the step's advice on
// it.
func shown(err error, t target.Target, g config.Group) string {
	return err.Error() + ". " + advice.For(err, advice.Situation{Target: t, Group: g})
}

func request(name string, generated bool, labels ...string) config.JITRequest {
	if len(labels) == 0 {
		labels = []string{"self-hosted"}
	}
	return config.JITRequest{Name: name, Generated: generated, Labels: labels, WorkFolder: "_work"}
}

func TestMintEveryScope(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		target    target.Target
		generated bool
		want      []string
	}{
		{"repository, generated name", repo, true, []string{
			"POST repos/octo-org/app/actions/runners/generate-jitconfig",
		}},
		{"repository, given name", repo, false, []string{
			"GET repos/octo-org/app/actions/runners?name=build-1&page=1&per_page=100",
			"POST repos/octo-org/app/actions/runners/generate-jitconfig",
		}},
		{"organization", org, true, []string{
			"GET orgs/octo-org/actions/runner-groups?page=1&per_page=100",
			"POST orgs/octo-org/actions/runners/generate-jitconfig",
		}},
		{"enterprise, given name", ent, false, []string{
			"GET enterprises/octo-ent/actions/runner-groups?page=1&per_page=100",
			"GET enterprises/octo-ent/actions/runners?name=build-1&page=1&per_page=100",
			"POST enterprises/octo-ent/actions/runners/generate-jitconfig",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			cfg, err := f.m.Register(context.Background(), tc.target, request("build-1", tc.generated, "self-hosted", "Linux"))
			if err != nil {
				t.Fatal(err)
			}
			f.checkMinted(cfg, tc.target, "build-1")
			if diff := cmp.Diff(RunnerGroup{ID: 1, Name: "Default", Default: true}, cfg.Group); diff != "" {
				t.Errorf("group (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"self-hosted", "Linux"}, cfg.Runner.LabelNames()); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, f.requests()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			// The body has exactly the schema's fields, with their types.
			reqs := f.sim.Requests()
			var body map[string]any
			if err := json.Unmarshal(reqs[len(reqs)-1].Body, &body); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"name": "build-1", "runner_group_id": float64(1), "labels": []any{"self-hosted", "Linux"}, "work_folder": "_work"}
			if diff := cmp.Diff(want, body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if len(f.waits()) != 0 || len(f.logs) != 0 {
				t.Errorf("waits %v, logs %q: want none", f.waits(), f.logs)
			}
		})
	}
}

func TestRunnerGroups(t *testing.T) {
	t.Parallel()
	// 150 groups: two pages of 100, the interesting ones on the second.
	groups := []ghsim.RunnerGroup{{ID: 1, Name: "Default", Default: true}}
	for i := 2; i < 140; i++ {
		groups = append(groups, ghsim.RunnerGroup{ID: int64(i), Name: fmt.Sprintf("pool-%03d", i)})
	}
	groups = append(groups,
		ghsim.RunnerGroup{ID: 140, Name: "GPU"},
		ghsim.RunnerGroup{ID: 141, Name: "2024"},
		ghsim.RunnerGroup{ID: 142, Name: "Enterprise Default", Default: true, Inherited: true},
		ghsim.RunnerGroup{ID: 143, Name: "twins"},
		ghsim.RunnerGroup{ID: 144, Name: "Twins"},
	)
	cases := []struct {
		name    string
		target  target.Target
		groups  []ghsim.RunnerGroup // nil: the 150 above
		group   config.Group
		want    RunnerGroup
		wantErr []string
	}{
		{name: "default", target: org, group: config.Group{}, want: RunnerGroup{ID: 1, Name: "Default", Default: true}},
		{name: "by name, second page", target: org, group: config.Group{Name: "GPU"}, want: RunnerGroup{ID: 140, Name: "GPU"}},
		{name: "by name, ignoring case", target: ent, group: config.Group{Name: "gpu"}, want: RunnerGroup{ID: 140, Name: "GPU"}},
		{name: "by name, exact wins over case", target: org, group: config.Group{Name: "Twins"}, want: RunnerGroup{ID: 144, Name: "Twins"}},
		{name: "by id", target: org, group: config.Group{ID: 139}, want: RunnerGroup{ID: 139, Name: "pool-139"}},
		{name: "digits that are a name, not an id", target: org, group: config.Group{ID: 2024}, want: RunnerGroup{ID: 141, Name: "2024"}},
		{name: "default owned rather than inherited", target: org, groups: []ghsim.RunnerGroup{{ID: 9, Name: "Ent", Default: true, Inherited: true}, {ID: 3, Name: "Own", Default: true}}, want: RunnerGroup{ID: 3, Name: "Own", Default: true}},
		{name: "default inherited if that is all", target: org, groups: []ghsim.RunnerGroup{{ID: 9, Name: "Ent", Default: true, Inherited: true}}, want: RunnerGroup{ID: 9, Name: "Ent", Default: true, Inherited: true}},
		{name: "unknown name", target: org, group: config.Group{Name: "arm"}, wantErr: []string{`organization octo-org has no runner group "arm"`, `"Default" (id 1), "pool-002" (id 2)`, "and 124 more"}},
		{name: "unknown id", target: ent, groups: []ghsim.RunnerGroup{{ID: 1, Name: "Default", Default: true}, {ID: 5, Name: "linux"}}, group: config.Group{ID: 77}, wantErr: []string{"enterprise octo-ent has no runner group id 77", `one of: "Default" (id 1), "linux" (id 5)`}},
		{name: "ambiguous case-insensitive name", target: org, group: config.Group{Name: "TWINS"}, wantErr: []string{`no runner group "TWINS"`}},
		{name: "no default", target: org, groups: []ghsim.RunnerGroup{{ID: 5, Name: "linux"}}, wantErr: []string{"include none marked default", `"linux" (id 5)`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			g := tc.groups
			if g == nil {
				g = groups
			}
			f.sim.SetRunnerGroups(tc.target.APIPath(), g...)
			req := request("r", true)
			req.Group = tc.group
			cfg, err := f.m.Register(context.Background(), tc.target, req)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatal("Register succeeded, want an error")
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if n := len(f.sim.JITConfigs()); n != 0 {
					t.Errorf("%d configs minted", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, cfg.Group); diff != "" {
				t.Errorf("group (-want +got):\n%s", diff)
			}
			if got := f.runners(tc.target)[0].GroupID; got != tc.want.ID {
				t.Errorf("runner registered in group %d, want %d", got, tc.want.ID)
			}
		})
	}

	t.Run("a repository only has its default group", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		for _, g := range []config.Group{{ID: 1}, {Name: "default"}} {
			req := request("r"+g.Name, true)
			req.Group = g
			if _, err := f.m.Register(context.Background(), repo, req); err != nil {
				t.Errorf("%s: %v", g, err)
			}
		}
		req := request("other", true)
		req.Group = config.Group{Name: "gpu"}
		before := len(f.sim.Requests())
		_, err := f.m.Register(context.Background(), repo, req)
		if !errors.Is(err, config.ErrGroupNotForRepository) {
			t.Errorf("error = %v, want config.ErrGroupNotForRepository", err)
		}
		if n := len(f.sim.Requests()) - before; n != 0 {
			t.Errorf("%d requests for a group a repository cannot have", n)
		}
	})
}

func TestGivenNameTakenByAnotherRunner(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	foreign := f.sim.AddRunner(repo.APIPath(), ghsim.Runner{Name: "Build-1", Status: "online", Labels: []string{"self-hosted"}})
	_, err := f.m.Register(context.Background(), repo, request("build-1", false))
	var inUse *NameInUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("error = %v, want NameInUseError", err)
	}
	want := fmt.Sprintf(`runner name "build-1" is already in use in repository octo-org/app by runner id %d (online, idle). Choose another runner-name`, foreign.ID)
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "never removes a runner it did not register") {
		t.Errorf("error %q lacks %q", err, want)
	}
	if diff := cmp.Diff([]string{"GET repos/octo-org/app/actions/runners?name=build-1&page=1&per_page=100"}, f.requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]ghsim.Runner{foreign}, f.runners(repo)); diff != "" {
		t.Errorf("the other runner was touched (-want +got):\n%s", diff)
	}
}

// onNthPOST runs before the n-th generate-jitconfig request reaches the
// simulator's handler (1-based); it returns true when it answered.
func onNthPOST(f *fixture, n int, do func(w http.ResponseWriter, r *http.Request) bool) {
	var mu sync.Mutex
	seen := 0
	f.sim.Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/generate-jitconfig") {
				mu.Lock()
				seen++
				k := seen
				mu.Unlock()
				if k == n && do(w, r) {
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	})
}

func TestRecoversFromLostAnswers(t *testing.T) {
	t.Parallel()
	post := "POST repos/octo-org/app/actions/runners/generate-jitconfig"
	lookup := "GET repos/octo-org/app/actions/runners?name=build-1&page=1&per_page=100"
	cases := []struct {
		name      string
		generated bool
		faults    []ghsim.JITFault
		want      []string // after the pre-check, for a given name
		waits     []time.Duration
	}{
		{"connection dropped after registering, generated name", true, []ghsim.JITFault{ghsim.LoseResponse},
			[]string{post, post, lookup, "DELETE repos/octo-org/app/actions/runners/ID", post}, []time.Duration{500 * time.Millisecond}},
		{"timed out after registering, generated name", true, []ghsim.JITFault{ghsim.HangAfterCreate},
			[]string{post, post, lookup, "DELETE repos/octo-org/app/actions/runners/ID", post}, []time.Duration{500 * time.Millisecond}},
		{"502 after registering", true, []ghsim.JITFault{ghsim.ServerErrorAfterCreate},
			[]string{post, post, lookup, "DELETE repos/octo-org/app/actions/runners/ID", post}, []time.Duration{500 * time.Millisecond}},
		{"502 without registering", false, []ghsim.JITFault{ghsim.ServerErrorBeforeCreate},
			[]string{post, post}, []time.Duration{500 * time.Millisecond}},
		{"two 502s, then registered", false, []ghsim.JITFault{ghsim.ServerErrorBeforeCreate, ghsim.ServerErrorBeforeCreate},
			[]string{post, post, post}, []time.Duration{500 * time.Millisecond, time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.m.Client = f.client(adminToken, hangLimit)
			f.sim.FailJIT(tc.faults...)
			cfg, err := f.m.Register(context.Background(), repo, request("build-1", tc.generated, "self-hosted", "gpu"))
			if err != nil {
				t.Fatal(err)
			}
			f.checkMinted(cfg, repo, "build-1")
			want := tc.want
			if !tc.generated {
				want = append([]string{lookup}, want...)
			}
			if diff := cmp.Diff(want, f.requestsNoIDs()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.waits, f.waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if len(f.logs) == 0 || !strings.Contains(f.logs[0], "retrying in") {
				t.Errorf("logs = %q", f.logs)
			}
		})
	}
}

// requestsNoIDs is requests, with runner ids in DELETE paths as ID.
func (f *fixture) requestsNoIDs() []string {
	var got []string
	for _, r := range f.requests() {
		if strings.HasPrefix(r, "DELETE ") {
			r = r[:strings.LastIndex(r, "/")+1] + "ID"
		}
		got = append(got, r)
	}
	return got
}

// TestGivenNameAfterALostAnswer: with a name the user gave, a 409 after an
// unclear failure may be this run's lost registration or another job's.
// Nothing tells them apart, so the runner is left registered and named,
// with how to remove it.
func TestGivenNameAfterALostAnswer(t *testing.T) {
	t.Parallel()
	for _, fault := range []ghsim.JITFault{ghsim.LoseResponse, ghsim.HangAfterCreate, ghsim.ServerErrorAfterCreate} {
		t.Run(fmt.Sprint(fault), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.m.Client = f.client(adminToken, hangLimit)
			f.sim.FailJIT(fault)
			_, err := f.m.Register(context.Background(), repo, request("build-1", false))
			var inUse *NameInUseError
			if !errors.As(err, &inUse) {
				t.Fatalf("error = %v, want NameInUseError", err)
			}
			left := f.runners(repo)
			if len(left) != 1 {
				t.Fatalf("runners = %+v, want the one registered, left alone", left)
			}
			for _, w := range []string{
				fmt.Sprintf("runner id %d (offline, idle)", left[0].ID),
				"may have registered it, or another job did",
				fmt.Sprintf("gh api -X DELETE /repos/octo-org/app/actions/runners/%d", left[0].ID),
			} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, r := range f.requests() {
				if strings.HasPrefix(r, "DELETE") {
					t.Errorf("sent %s", r)
				}
			}
		})
	}
}

// TestTransportReplay: a transport that replays the POST behind Register's back
// turns a lost answer into a 409 on what Register takes for its first attempt.
// A generated name is still provably this run's; a given name is not, so
// that runner is left alone and named in the error.
func TestTransportReplay(t *testing.T) {
	t.Parallel()
	for _, generated := range []bool{true, false} {
		t.Run(fmt.Sprintf("generated=%v", generated), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			var replayed ghsim.Runner
			onNthPOST(f, 1, func(w http.ResponseWriter, r *http.Request) bool {
				replayed = f.sim.AddRunner(repo.APIPath(), ghsim.Runner{Name: "build-1", Labels: []string{"self-hosted"}})
				return false
			})
			cfg, err := f.m.Register(context.Background(), repo, request("build-1", generated))
			if generated {
				if err != nil {
					t.Fatal(err)
				}
				f.checkMinted(cfg, repo, "build-1")
				return
			}
			var inUse *NameInUseError
			if !errors.As(err, &inUse) || !strings.Contains(err.Error(), "409 Conflict") || !strings.Contains(err.Error(), fmt.Sprintf("runner id %d", replayed.ID)) {
				t.Fatalf("error = %v, want NameInUseError naming runner %d", err, replayed.ID)
			}
			if diff := cmp.Diff([]ghsim.Runner{replayed}, f.runners(repo)); diff != "" {
				t.Errorf("the runner was touched (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNeverRemovesAnotherRunner: after an ambiguous failure, a runner with
// the name that this run cannot have registered is left alone.
func TestNeverRemovesAnotherRunner(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		generated bool
		foreign   ghsim.Runner
		wantWhy   string
	}{
		{"online", true, ghsim.Runner{Name: "build-1", Status: "online", Labels: []string{"self-hosted"}}, "it is online"},
		{"busy", true, ghsim.Runner{Name: "build-1", Status: "offline", Busy: true, Labels: []string{"self-hosted"}}, "it is running a job"},
		{"other labels", true, ghsim.Runner{Name: "build-1", Labels: []string{"windows"}}, `it lacks the label "self-hosted"`},
		{"other group", true, ghsim.Runner{Name: "build-1", Labels: []string{"self-hosted"}, GroupID: 2}, "it is in runner group id 2"},
		{"same name in another case", true, ghsim.Runner{Name: "Build-1", Labels: []string{"self-hosted"}}, `it is named "Build-1"`},
		// Another job provisioning the same way: offline, idle, the same
		// labels and group. Only the name could tell, and it was given.
		{"identical, from another job", false, ghsim.Runner{Name: "build-1", Labels: []string{"self-hosted"}, GroupID: 1}, "or another job did: this run cannot prove which"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			var foreign ghsim.Runner
			// The first request fails with a 502 and registers nothing;
			// meanwhile someone else registers a runner with the name.
			onNthPOST(f, 1, func(w http.ResponseWriter, r *http.Request) bool {
				foreign = f.sim.AddRunner(repo.APIPath(), tc.foreign)
				w.WriteHeader(http.StatusBadGateway)
				return true
			})
			_, err := f.m.Register(context.Background(), repo, request("build-1", tc.generated))
			var inUse *NameInUseError
			if !errors.As(err, &inUse) {
				t.Fatalf("error = %v, want NameInUseError", err)
			}
			for _, w := range []string{tc.wantWhy, fmt.Sprintf("runner id %d", foreign.ID)} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if diff := cmp.Diff([]ghsim.Runner{foreign}, f.runners(repo)); diff != "" {
				t.Errorf("the other runner was touched (-want +got):\n%s", diff)
			}
			for _, r := range f.requests() {
				if strings.HasPrefix(r, "DELETE") {
					t.Errorf("sent %s", r)
				}
			}
		})
	}
}

func TestGivesUpAndCleansUp(t *testing.T) {
	t.Parallel()

	t.Run("every answer lost: the registered runner is removed", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.sim.FailJIT(ghsim.LoseResponse)
		// Later requests never reach the handler: dropped on the way in.
		var mu sync.Mutex
		posts := 0
		f.sim.Wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					mu.Lock()
					posts++
					n := posts
					mu.Unlock()
					if n > 1 {
						panic(http.ErrAbortHandler)
					}
				}
				next.ServeHTTP(w, r)
			})
		})
		_, err := f.m.Register(context.Background(), repo, request("build-1", true))
		for _, w := range []string{"after 5 attempts", "which this run registered, was removed"} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v lacks %q", err, w)
			}
		}
		if got := f.runners(repo); len(got) != 0 {
			t.Errorf("runners left: %+v", got)
		}
		if diff := cmp.Diff([]time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}, f.waits()); diff != "" {
			t.Errorf("waits (-want +got):\n%s", diff)
		}
	})

	t.Run("nothing registered", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		b := ghsim.ServerErrorBeforeCreate
		f.sim.FailJIT(b, b, b, b, b)
		_, err := f.m.Register(context.Background(), repo, request("build-1", true))
		var e *githubapi.Error
		if !errors.As(err, &e) || e.StatusCode != http.StatusBadGateway || !strings.Contains(err.Error(), `GitHub lists no runner named "build-1", but one may have been registered all the same`) || !strings.Contains(shown(err, repo, config.Group{}), "githubstatus.com") {
			t.Errorf("error = %v", err)
		}
	})

	t.Run("cancelled while waiting for an answer", func(t *testing.T) {
		t.Parallel()
		for _, generated := range []bool{true, false} {
			f := newFixture(t)
			f.m.Client = f.client(adminToken, time.Minute)
			f.sim.FailJIT(ghsim.HangAfterCreate)
			ctx, cancel := context.WithCancel(context.Background())
			onNthPOST(f, 1, func(w http.ResponseWriter, r *http.Request) bool {
				time.AfterFunc(200*time.Millisecond, cancel)
				return false
			})
			_, err := f.m.Register(ctx, repo, request("build-1", generated))
			left := f.runners(repo)
			switch {
			case !errors.Is(err, context.Canceled):
				t.Errorf("generated=%v: error = %v, want cancellation", generated, err)
			case generated && (len(left) != 0 || !strings.Contains(err.Error(), "was removed")):
				t.Errorf("generated name: error = %v, runners left %+v; want it removed", err, left)
			case !generated && (len(left) != 1 || !strings.Contains(err.Error(), fmt.Sprintf("Runner \"build-1\" (id %d, offline, idle, labels self-hosted) has the name and was left alone", left[0].ID))):
				t.Errorf("given name: error = %v, runners left %+v; want it left alone and named", err, left)
			}
		}
	})

	t.Run("the name is taken again after removing ours", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.sim.FailJIT(ghsim.LoseResponse)
		// A generated name is this run's alone: a runner with it can only
		// come from this run's own requests, so it is removed as well.
		onNthPOST(f, 3, func(w http.ResponseWriter, r *http.Request) bool {
			f.sim.AddRunner(repo.APIPath(), ghsim.Runner{Name: "build-1", Labels: []string{"self-hosted"}})
			return false
		})
		_, err := f.m.Register(context.Background(), repo, request("build-1", true))
		if err == nil || !strings.Contains(err.Error(), "already removed once") || !strings.Contains(err.Error(), "was removed") {
			t.Errorf("error = %v", err)
		}
		if got := f.runners(repo); len(got) != 0 {
			t.Errorf("runners left: %+v", got)
		}
	})
}

// withoutField answers generate-jitconfig as the simulator does, with field
// left out of the answer: the runner is registered all the same.
func withoutField(sim *ghsim.Server, field string) func(http.Handler) http.Handler {
	tamper := sim.Tamper(func(answer map[string]any) { delete(answer, field) })
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && tamper(w, r) {
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		target target.Target
		token  string
		req    config.JITRequest
		want   []string
	}{
		{
			name:   "422 for a label GitHub refuses",
			target: repo,
			req:    request("r", true, strings.Repeat("x", 300)),
			want:   []string{"422 Unprocessable Entity", `"Validation Failed" (Label name is too long (maximum is 256 characters))`, "[request ID ", "GitHub refused the runner's settings: check runner-labels (1 to 100 labels, each at most 256 characters)"},
		},
		{
			name:   "403 without administration rights",
			target: org,
			token:  "github_pat_fine",
			want:   []string{"listing the runner groups of organization octo-org", "403 Forbidden", `"Self-hosted runners: write"`},
		},
		{
			name:   "404 for a target that does not exist",
			target: target.Target{Scope: target.Repository, Owner: "octo-org", Repo: "gone"},
			want:   []string{"404 Not Found", "does not exist or this credential cannot see it"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.token != "" {
				base, _ := url.Parse(f.sim.URL())
				f.m.Client = githubapi.NewClient(f.sim.Client(), base, tc.token)
			}
			req := tc.req
			if req.Name == "" {
				req = request("r", true)
			}
			_, err := f.m.Register(context.Background(), tc.target, req)
			if err == nil {
				t.Fatal("Register succeeded")
			}
			got := shown(err, tc.target, req.Group)
			for _, w := range append(tc.want, "could not mint a JIT runner config for "+tc.target.String()) {
				if !strings.Contains(got, w) {
					t.Errorf("error %q lacks %q", got, w)
				}
			}
			if len(f.waits()) != 0 {
				t.Errorf("retried a clear refusal: waits %v", f.waits())
			}
		})
	}
}

// TestLogsNeverHoldTheConfig: what Registrar logs is written before a config
// exists, so it cannot contain one; check it anyway on the recovery path.
func TestLogsNeverHoldTheConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sim.FailJIT(ghsim.LoseResponse)
	cfg, err := f.m.Register(context.Background(), repo, request("build-1", true))
	if err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	for _, l := range f.logs {
		all.WriteString(l)
	}
	for _, c := range f.sim.JITConfigs() {
		if strings.Contains(all.String(), c.Config) {
			t.Error("a log line holds a config")
		}
	}
	if !strings.Contains(all.String(), "Removing it and registering again") || cfg == nil {
		t.Errorf("logs = %q", f.logs)
	}
}

// TestUnusableSuccess: a 2xx registered the runner, whatever its body; a
// body that cannot be used leaves a runner nobody can start, and it is
// this request's, so it is removed (found by its exact name when the answer
// has no id), for a given name too, and never retried.
func TestUnusableSuccess(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		spoil func(f *fixture)
		want  string
	}{
		{"not JSON", func(f *fixture) { f.sim.FailJIT(ghsim.GarbageAfterCreate) }, "not valid JSON"},
		{"labels not a list", func(f *fixture) { f.sim.FailJIT(ghsim.WrongTypeAfterCreate) }, "the runner is not as GitHub describes runners"},
		{"no config", func(f *fixture) { f.sim.Wrap(withoutField(f.sim, "encoded_jit_config")) }, "no encoded_jit_config"},
		{"no runner id", func(f *fixture) { f.sim.Wrap(withoutField(f.sim, "runner")) }, "no runner id"},
	}
	for _, tc := range cases {
		for _, generated := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s, generated=%v", tc.name, generated), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				tc.spoil(f)
				_, err := f.m.Register(context.Background(), repo, request("build-1", generated))
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "which this run registered, was removed") {
					t.Errorf("error = %v, want %q and the runner removed", err, tc.want)
				}
				if tc.want != "not valid JSON" && !errors.Is(err, ErrNoConfig) {
					t.Errorf("error = %v, want ErrNoConfig", err)
				}
				if got := f.runners(repo); len(got) != 0 {
					t.Errorf("runners left: %+v", got)
				}
				if n := len(f.sim.JITConfigs()); n != 1 {
					t.Errorf("%d requests registered a runner, want 1 (no retry)", n)
				}
			})
		}
	}
}

// TestClearAnswerAfterAnUnclearOne: once a try may have registered the
// runner, a later clear refusal still ends with it removed.
func TestClearAnswerAfterAnUnclearOne(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		answer func(s *ghsim.Server) ghsim.Fault
		want   string
	}{
		{"422", func(s *ghsim.Server) ghsim.Fault { return s.ValidationFailed(1) }, "422 Unprocessable Entity"},
		{"403", func(s *ghsim.Server) ghsim.Fault { return s.Status(403, "Resource not accessible by integration") }, "403 Forbidden"},
		{"a rate limit resetting after the deadline", func(s *ghsim.Server) ghsim.Fault {
			return s.PrimaryRateLimit(time.Now().Add(50 * time.Minute))
		}, "of the step's timeout remained"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.sim.FailJIT(ghsim.ServerErrorAfterCreate)
			answer := tc.answer(f.sim)
			onNthPOST(f, 2, answer)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			_, err := f.m.Register(ctx, repo, request("build-1", true))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "which this run registered, was removed") {
				t.Errorf("error = %v, want %q and the runner removed", err, tc.want)
			}
			if got := f.runners(repo); len(got) != 0 {
				t.Errorf("runners left: %+v", got)
			}
		})
	}
}

// TestCleanupKeepsToTheDeadline: a clean-up that meets a rate limit far
// away does not wait for it; the error says what is left and how to
// remove it.
func TestCleanupKeepsToTheDeadline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sim.FailJIT(ghsim.GarbageAfterCreate)
	limit := f.sim.PrimaryRateLimit(time.Now().Add(50 * time.Minute))
	f.sim.Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete && limit(w, r) {
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	_, err := f.m.Register(ctx, repo, request("build-1", true))
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s", took)
	}
	left := f.runners(repo)
	if len(left) != 1 {
		t.Fatalf("runners = %+v, want the one the rate limit kept", left)
	}
	want := fmt.Sprintf("could not be removed (removing runner id %d from repository octo-org/app: GitHub answered 403 Forbidden", left[0].ID)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), fmt.Sprintf("gh api -X DELETE /repos/octo-org/app/actions/runners/%d", left[0].ID)) {
		t.Errorf("error = %v, want %q and how to remove it", err, want)
	}
	if w := f.clk.Waited(); w > retry.Grace {
		t.Errorf("waited %s for a clean-up", w)
	}
}

// TestUndo: a runner minted for a step that then fails is removed.
func TestUndo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg, err := f.m.Register(context.Background(), org, request("build-1", false, "self-hosted", "gpu"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // cancelled: the undo still has its grace
	err = f.m.Undo(ctx, org, cfg, errors.New("writing outputs failed"))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf(`writing outputs failed. Runner "build-1" (id %d), which this run registered, was removed`, cfg.Runner.ID)) {
		t.Errorf("error = %v", err)
	}
	if got := f.runners(org); len(got) != 0 {
		t.Errorf("runners left: %+v", got)
	}
}

// TestGHESWithoutJIT: a GHES older than 3.10 has no generate-jitconfig;
// its 404 says so, rather than blaming the target or the group.
func TestGHESWithoutJIT(t *testing.T) {
	t.Parallel()
	for version, want := range map[string]string{
		"3.9.2":  "This server is GitHub Enterprise Server 3.9.2, which has no just-in-time runner API (it came in 3.10): use kind: registration",
		"3.12.0": "Or runner group",
	} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			onNthPOST(f, 1, f.sim.Status(404, "Not Found", "X-GitHub-Enterprise-Version: "+version))
			_, err := f.m.Register(context.Background(), org, request("build-1", true))
			if err == nil || !strings.Contains(shown(err, org, config.Group{}), want) {
				t.Errorf("error = %v, want %q", err, want)
			}
		})
	}
}

// TestConflictNotListedYet: after an unclear failure, a 409 for a runner
// GitHub does not list (its list can lag) says what is known: one may be
// registered, and how to find it.
func TestConflictNotListedYet(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sim.FailJIT(ghsim.ServerErrorBeforeCreate)
	onNthPOST(f, 2, f.sim.Status(409, "Already exists - A runner with the name build-1 already exists."))
	_, err := f.m.Register(context.Background(), repo, request("build-1", true))
	for _, w := range []string{"409 Conflict", `does not list such a runner yet`, `GitHub lists no runner named "build-1", but one may have been registered all the same (its list can lag): if it appears in repository octo-org/app's runner settings, remove it`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %q", err, w)
		}
	}
	if strings.Contains(fmt.Sprint(err), "was registered") && !strings.Contains(fmt.Sprint(err), "may have been registered") {
		t.Errorf("error %v claims to know", err)
	}
}

// hangLimit bounds each try in tests whose faults hang: long enough that a
// normal answer under -race on a loaded machine never reaches it, short
// enough that a hang costs the test one second.
const hangLimit = time.Second
