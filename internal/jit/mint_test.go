package jit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
)

const adminToken = "ghp_jitAdminJitAdminJitAdminJitAdmin0001"

var (
	repo = target.Target{Scope: target.Repository, Owner: "octo-org", Repo: "app"}
	org  = target.Target{Scope: target.Organization, Owner: "octo-org"}
	ent  = target.Target{Scope: target.Enterprise, Owner: "octo-ent"}
)

// fixture is a simulator and a Minter that talks to it, whose waits are
// recorded instead of slept.
type fixture struct {
	t     *testing.T
	sim   *ghsim.Server
	m     *Minter
	mu    sync.Mutex
	waits []time.Duration
	logs  []string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sim := ghsim.Start(t)
	sim.AddCredential("admin", adminToken, ghsim.Credential{Admin: []string{"octo-org/app", "octo-org", "enterprises/octo-ent"}})
	sim.AddCredential("fine", "github_pat_fine", ghsim.Credential{Type: ghsim.FineGrainedPAT})
	base, _ := url.Parse(sim.URL())
	f := &fixture{t: t, sim: sim}
	f.m = &Minter{
		Client:         githubapi.NewClient(sim.Client(), base, adminToken),
		AttemptTimeout: 2 * time.Second,
		Wait: func(ctx context.Context, d time.Duration) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.waits = append(f.waits, d)
			return ctx.Err()
		},
		Log: func(s string) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.logs = append(f.logs, s)
		},
	}
	return f
}

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

func request(name string, generated bool, labels ...string) Request {
	if len(labels) == 0 {
		labels = []string{"self-hosted"}
	}
	return Request{Name: name, Generated: generated, Labels: labels, WorkFolder: "_work"}
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
			cfg, err := f.m.Mint(context.Background(), tc.target, request("build-1", tc.generated, "self-hosted", "Linux"))
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
			if len(f.waits) != 0 || len(f.logs) != 0 {
				t.Errorf("waits %v, logs %q: want none", f.waits, f.logs)
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
		group   Group
		want    RunnerGroup
		wantErr []string
	}{
		{name: "default", target: org, group: Group{}, want: RunnerGroup{ID: 1, Name: "Default", Default: true}},
		{name: "by name, second page", target: org, group: Group{Name: "GPU"}, want: RunnerGroup{ID: 140, Name: "GPU"}},
		{name: "by name, ignoring case", target: ent, group: Group{Name: "gpu"}, want: RunnerGroup{ID: 140, Name: "GPU"}},
		{name: "by name, exact wins over case", target: org, group: Group{Name: "Twins"}, want: RunnerGroup{ID: 144, Name: "Twins"}},
		{name: "by id", target: org, group: Group{ID: 139}, want: RunnerGroup{ID: 139, Name: "pool-139"}},
		{name: "digits that are a name, not an id", target: org, group: Group{ID: 2024}, want: RunnerGroup{ID: 141, Name: "2024"}},
		{name: "default owned rather than inherited", target: org, groups: []ghsim.RunnerGroup{{ID: 9, Name: "Ent", Default: true, Inherited: true}, {ID: 3, Name: "Own", Default: true}}, want: RunnerGroup{ID: 3, Name: "Own", Default: true}},
		{name: "default inherited if that is all", target: org, groups: []ghsim.RunnerGroup{{ID: 9, Name: "Ent", Default: true, Inherited: true}}, want: RunnerGroup{ID: 9, Name: "Ent", Default: true, Inherited: true}},
		{name: "unknown name", target: org, group: Group{Name: "arm"}, wantErr: []string{`organization octo-org has no runner group "arm"`, `"Default" (id 1), "pool-002" (id 2)`, "and 124 more"}},
		{name: "unknown id", target: ent, groups: []ghsim.RunnerGroup{{ID: 1, Name: "Default", Default: true}, {ID: 5, Name: "linux"}}, group: Group{ID: 77}, wantErr: []string{"enterprise octo-ent has no runner group id 77", `one of: "Default" (id 1), "linux" (id 5)`}},
		{name: "ambiguous case-insensitive name", target: org, group: Group{Name: "TWINS"}, wantErr: []string{`no runner group "TWINS"`}},
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
			cfg, err := f.m.Mint(context.Background(), tc.target, req)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatal("Mint succeeded, want an error")
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
		for _, g := range []Group{{ID: 1}, {Name: "default"}} {
			req := request("r"+g.Name, true)
			req.Group = g
			if _, err := f.m.Mint(context.Background(), repo, req); err != nil {
				t.Errorf("%s: %v", g, err)
			}
		}
		req := request("other", true)
		req.Group = Group{Name: "gpu"}
		before := len(f.sim.Requests())
		_, err := f.m.Mint(context.Background(), repo, req)
		if !errors.Is(err, ErrGroupNotForRepository) {
			t.Errorf("error = %v, want ErrGroupNotForRepository", err)
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
	_, err := f.m.Mint(context.Background(), repo, request("build-1", false))
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
			[]string{post, post, lookup, "DELETE repos/octo-org/app/actions/runners/ID", post}, []time.Duration{time.Second}},
		{"connection dropped after registering, given name", false, []ghsim.JITFault{ghsim.LoseResponse},
			[]string{post, post, lookup, "DELETE repos/octo-org/app/actions/runners/ID", post}, []time.Duration{time.Second}},
		{"timed out after registering", false, []ghsim.JITFault{ghsim.HangAfterCreate},
			[]string{post, post, lookup, "DELETE repos/octo-org/app/actions/runners/ID", post}, []time.Duration{time.Second}},
		{"502 after registering", true, []ghsim.JITFault{ghsim.ServerErrorAfterCreate},
			[]string{post, post, lookup, "DELETE repos/octo-org/app/actions/runners/ID", post}, []time.Duration{time.Second}},
		{"502 without registering", false, []ghsim.JITFault{ghsim.ServerErrorBeforeCreate},
			[]string{post, post}, []time.Duration{time.Second}},
		{"two 502s, then registered and dropped", false, []ghsim.JITFault{ghsim.ServerErrorBeforeCreate, ghsim.ServerErrorBeforeCreate},
			[]string{post, post, post}, []time.Duration{time.Second, 2 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.m.AttemptTimeout = 300 * time.Millisecond
			f.sim.FailJIT(tc.faults...)
			cfg, err := f.m.Mint(context.Background(), repo, request("build-1", tc.generated, "self-hosted", "gpu"))
			if err != nil {
				t.Fatal(err)
			}
			f.checkMinted(cfg, repo, "build-1")
			want := tc.want
			if !tc.generated {
				want = append([]string{lookup}, want...)
			}
			var got []string
			for _, r := range f.requests() {
				if strings.HasPrefix(r, "DELETE ") {
					r = r[:strings.LastIndex(r, "/")+1] + "ID"
				}
				got = append(got, r)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.waits, f.waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if len(f.logs) == 0 || !strings.Contains(f.logs[0], "Attempt 1 got no clear answer") {
				t.Errorf("logs = %q", f.logs)
			}
		})
	}
}

// TestTransportReplay: a transport that replays the POST behind Mint's back
// turns a lost answer into a 409 on what Mint takes for its first attempt.
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
			cfg, err := f.m.Mint(context.Background(), repo, request("build-1", generated))
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
		name    string
		foreign ghsim.Runner
		wantWhy string
	}{
		{"online", ghsim.Runner{Name: "build-1", Status: "online", Labels: []string{"self-hosted"}}, "it is online"},
		{"busy", ghsim.Runner{Name: "build-1", Status: "offline", Busy: true, Labels: []string{"self-hosted"}}, "it is running a job"},
		{"other labels", ghsim.Runner{Name: "build-1", Labels: []string{"windows"}}, `it lacks the label "self-hosted"`},
		{"other group", ghsim.Runner{Name: "build-1", Labels: []string{"self-hosted"}, GroupID: 2}, "it is in runner group id 2"},
		{"same name in another case", ghsim.Runner{Name: "Build-1", Labels: []string{"self-hosted"}}, `it is named "Build-1"`},
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
			_, err := f.m.Mint(context.Background(), repo, request("build-1", false))
			var inUse *NameInUseError
			if !errors.As(err, &inUse) {
				t.Fatalf("error = %v, want NameInUseError", err)
			}
			for _, w := range []string{"cannot prove it registered that runner: " + tc.wantWhy, fmt.Sprintf("runner id %d", foreign.ID)} {
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
		_, err := f.m.Mint(context.Background(), repo, request("build-1", true))
		for _, w := range []string{"no clear answer from GitHub after 3 attempts", "which this run registered without getting its config, was removed"} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v lacks %q", err, w)
			}
		}
		if got := f.runners(repo); len(got) != 0 {
			t.Errorf("runners left: %+v", got)
		}
		if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second}, f.waits); diff != "" {
			t.Errorf("waits (-want +got):\n%s", diff)
		}
	})

	t.Run("nothing registered", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.sim.FailJIT(ghsim.ServerErrorBeforeCreate, ghsim.ServerErrorBeforeCreate, ghsim.ServerErrorBeforeCreate)
		_, err := f.m.Mint(context.Background(), repo, request("build-1", true))
		var e *githubapi.Error
		if !errors.As(err, &e) || e.StatusCode != http.StatusBadGateway || !strings.Contains(err.Error(), `No runner named "build-1" was registered`) || !strings.Contains(err.Error(), "githubstatus.com") {
			t.Errorf("error = %v", err)
		}
	})

	t.Run("cancelled while waiting for an answer", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.m.AttemptTimeout = time.Minute
		f.sim.FailJIT(ghsim.HangAfterCreate)
		ctx, cancel := context.WithCancel(context.Background())
		onNthPOST(f, 1, func(w http.ResponseWriter, r *http.Request) bool {
			time.AfterFunc(200*time.Millisecond, cancel)
			return false
		})
		_, err := f.m.Mint(ctx, repo, request("build-1", false))
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "was removed") {
			t.Errorf("error = %v, want cancellation and the runner removed", err)
		}
		if got := f.runners(repo); len(got) != 0 {
			t.Errorf("runners left: %+v", got)
		}
	})

	t.Run("the name is taken again after removing ours", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.sim.FailJIT(ghsim.LoseResponse)
		onNthPOST(f, 3, func(w http.ResponseWriter, r *http.Request) bool {
			f.sim.AddRunner(repo.APIPath(), ghsim.Runner{Name: "build-1", Labels: []string{"self-hosted"}})
			return false
		})
		_, err := f.m.Mint(context.Background(), repo, request("build-1", true))
		if err == nil || !strings.Contains(err.Error(), "already removed once") {
			t.Errorf("error = %v", err)
		}
		if got := f.runners(repo); len(got) != 1 {
			t.Errorf("runners = %+v, want the one registered meanwhile", got)
		}
	})
}

// withoutField answers generate-jitconfig as the simulator does, with field
// left out of the answer: the runner is registered all the same.
func withoutField(field string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var body map[string]any
			_ = json.Unmarshal(rec.Body.Bytes(), &body)
			delete(body, field)
			w.WriteHeader(rec.Code)
			_ = json.NewEncoder(w).Encode(body)
		})
	}
}

// TestSuccessWithoutConfig: a 2xx without a config registered a runner
// nobody can start; it is this request's, so it is removed.
func TestSuccessWithoutConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sim.Wrap(withoutField("encoded_jit_config"))
	_, err := f.m.Mint(context.Background(), repo, request("build-1", true))
	if !errors.Is(err, ErrNoConfig) {
		t.Fatalf("error = %v, want ErrNoConfig", err)
	}
	if got := f.runners(repo); len(got) != 0 {
		t.Errorf("runners left: %+v", got)
	}
	if n := len(f.sim.JITConfigs()); n != 1 {
		t.Errorf("%d requests registered a runner, want 1 (no retry)", n)
	}
}

// TestSuccessWithoutRunnerID: the runner is found by its exact name and
// removed, as its id is needed for the step's outputs.
func TestSuccessWithoutRunnerID(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sim.Wrap(withoutField("runner"))
	_, err := f.m.Mint(context.Background(), repo, request("build-1", false))
	if !errors.Is(err, ErrNoConfig) || !strings.Contains(err.Error(), "no runner id") {
		t.Fatalf("error = %v, want ErrNoConfig", err)
	}
	if got := f.runners(repo); len(got) != 0 {
		t.Errorf("runners left: %+v", got)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		target target.Target
		token  string
		req    Request
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
			_, err := f.m.Mint(context.Background(), tc.target, req)
			if err == nil {
				t.Fatal("Mint succeeded")
			}
			for _, w := range append(tc.want, "could not mint a JIT runner config for "+tc.target.String()) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if len(f.waits) != 0 {
				t.Errorf("retried a clear refusal: waits %v", f.waits)
			}
		})
	}
}

func TestIsAmbiguous(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want bool
	}{
		{&githubapi.Error{StatusCode: 502}, true},
		{&githubapi.Error{StatusCode: 500, NotJSON: true}, true},
		{fmt.Errorf("POST x: %w", context.DeadlineExceeded), true},
		{fmt.Errorf("could not reach the GitHub API at h: %w", io.EOF), true},
		{fmt.Errorf("could not reach the GitHub API at h: %w", io.ErrUnexpectedEOF), true},
		{&net.OpError{Op: "read", Err: errors.New("connection reset by peer")}, true},
		{&githubapi.Error{StatusCode: 409}, false},
		{&githubapi.Error{StatusCode: 422}, false},
		{&githubapi.Error{StatusCode: 429, RateLimited: true}, false},
		{fmt.Errorf("x: %w", githubapi.ErrNotJSON), false},
		{fmt.Errorf("x: %w", githubapi.ErrRedirectElsewhere), false},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, false},
		{&net.OpError{Op: "proxyconnect", Err: errors.New("connection refused")}, false},
		{&net.DNSError{Err: "no such host", Name: "x"}, false},
		{&brokenAnswer{ErrNoConfig}, false},
	}
	for _, tc := range cases {
		if got := isAmbiguous(tc.err); got != tc.want {
			t.Errorf("isAmbiguous(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestLogsNeverHoldTheConfig: what Minter logs is written before a config
// exists, so it cannot contain one; check it anyway on the recovery path.
func TestLogsNeverHoldTheConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sim.FailJIT(ghsim.LoseResponse)
	cfg, err := f.m.Mint(context.Background(), repo, request("build-1", true))
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
	if !strings.Contains(all.String(), "Removing it and minting again") || cfg == nil {
		t.Errorf("logs = %q", f.logs)
	}
}
