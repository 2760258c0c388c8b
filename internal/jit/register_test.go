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
	"github.com/runnertoken/runner-token-action/internal/runners"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// grace is how long an undo may go on past the deadline or a cancellation
// here, as the step allows.
const grace = 5 * time.Second

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
	f.m = &Registrar{Client: f.client(adminToken, 2*time.Second), Log: f.logf}
	return f
}

// register registers as the step does: a failed registration is undone
// within grace past ctx's deadline, or past now without one.
func (f *fixture) register(ctx context.Context, t target.Target, req config.JITRequest) (*Config, error) {
	end := time.Now().Add(grace)
	if d, ok := ctx.Deadline(); ok {
		end = d.Add(grace)
	}
	cleanup, cancel := context.WithDeadline(context.WithoutCancel(ctx), end)
	defer cancel()
	return f.m.Register(ctx, cleanup, t, req)
}

// client is an API client with token whose tries time out after timeout.
func (f *fixture) client(token string, timeout time.Duration) *github.Client {
	base, _ := url.Parse(f.sim.URL())
	return githubapi.NewClient(f.sim.Client(), base, token, githubapi.WithPolicy(retry.Policy{
		AttemptTimeout: timeout,
		Now:            f.clk.Now, Sleep: f.clk.Sleep,
		Jitter: func() float64 { return 0 },
		Log:    f.logf,
	}))
}

func (f *fixture) logf(format string, args ...any) { f.log(fmt.Sprintf(format, args...)) }

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
	if cfg.Runner.ID != last.RunnerID || cfg.Runner.Name.Raw() != name {
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
			cfg, err := f.register(context.Background(), tc.target, request("build-1", tc.generated, "self-hosted", "Linux"))
			if err != nil {
				t.Fatal(err)
			}
			f.checkMinted(cfg, tc.target, "build-1")
			if diff := cmp.Diff(RunnerGroup{ID: 1, Name: untrusted.Of("Default"), Default: true}, cfg.Group); diff != "" {
				t.Errorf("group (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]runners.Label{{Name: untrusted.Of("self-hosted")}, {Name: untrusted.Of("Linux")}}, cfg.Runner.Labels); diff != "" {
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
		{name: "default", target: org, group: config.Group{}, want: RunnerGroup{ID: 1, Name: untrusted.Of("Default"), Default: true}},
		{name: "by name, second page", target: org, group: config.Group{Name: "GPU"}, want: RunnerGroup{ID: 140, Name: untrusted.Of("GPU")}},
		{name: "by name, ignoring case", target: ent, group: config.Group{Name: "gpu"}, want: RunnerGroup{ID: 140, Name: untrusted.Of("GPU")}},
		{name: "by name, exact wins over case", target: org, group: config.Group{Name: "Twins"}, want: RunnerGroup{ID: 144, Name: untrusted.Of("Twins")}},
		{name: "by id", target: org, group: config.Group{ID: 139}, want: RunnerGroup{ID: 139, Name: untrusted.Of("pool-139")}},
		{name: "digits that are a name, not an id", target: org, group: config.Group{ID: 2024}, want: RunnerGroup{ID: 141, Name: untrusted.Of("2024")}},
		{name: "default owned rather than inherited", target: org, groups: []ghsim.RunnerGroup{{ID: 9, Name: "Ent", Default: true, Inherited: true}, {ID: 3, Name: "Own", Default: true}}, want: RunnerGroup{ID: 3, Name: untrusted.Of("Own"), Default: true}},
		{name: "default inherited if that is all", target: org, groups: []ghsim.RunnerGroup{{ID: 9, Name: "Ent", Default: true, Inherited: true}}, want: RunnerGroup{ID: 9, Name: untrusted.Of("Ent"), Default: true, Inherited: true}},
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
			cfg, err := f.register(context.Background(), tc.target, req)
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
			if _, err := f.register(context.Background(), repo, req); err != nil {
				t.Errorf("%s: %v", g, err)
			}
		}
		req := request("other", true)
		req.Group = config.Group{Name: "gpu"}
		before := len(f.sim.Requests())
		_, err := f.register(context.Background(), repo, req)
		if err == nil || !strings.Contains(err.Error(), "a repository's self-hosted runners are always in its default runner group") {
			t.Errorf("error = %v, want one saying a repository's runners are in its default group", err)
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
	_, err := f.register(context.Background(), repo, request("build-1", false))
	if err == nil {
		t.Fatal("registered, want the name in use")
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
	intercept(f, func(k int) ghsim.Fault {
		if k == n {
			return do
		}
		return nil
	}, nil)
}

// intercept is the simulator's one middleware: the k-th generate-jitconfig
// POST (1-based) goes to posts(k) first, if not nil, and the k-th GET of
// the runner list is answered with an empty list when lagging(k), as
// GitHub's list does before it shows a new runner. Either may be nil.
func intercept(f *fixture, posts func(k int) ghsim.Fault, lagging func(k int) bool) {
	var mu sync.Mutex
	seenPOST, seenList := 0, 0
	empty := f.sim.Answer(http.StatusOK, `{"total_count":0,"runners":[]}`)
	f.sim.Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/generate-jitconfig"):
				mu.Lock()
				seenPOST++
				k := seenPOST
				mu.Unlock()
				if posts != nil {
					if do := posts(k); do != nil && do(w, r) {
						return
					}
				}
			case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/actions/runners"):
				mu.Lock()
				seenList++
				k := seenList
				mu.Unlock()
				if lagging != nil && lagging(k) && empty(w, r) {
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	})
}

// The requests of a registration in repo, as requests shows them; "#k" in
// a want stands for the id of the k-th runner the simulator registered
// through generate-jitconfig (see expand).
const (
	post   = "POST repos/octo-org/app/actions/runners/generate-jitconfig"
	lookup = "GET repos/octo-org/app/actions/runners?name=build-1&page=1&per_page=100"
	remove = "DELETE repos/octo-org/app/actions/runners/"
)

// expand replaces "#k" in each of want with the id of the k-th runner
// registered through generate-jitconfig.
func (f *fixture) expand(want ...string) []string {
	issued := f.sim.JITConfigs()
	var out []string
	for _, w := range want {
		for k := len(issued); k >= 1; k-- { // #12 before #1
			w = strings.ReplaceAll(w, fmt.Sprintf("#%d", k), fmt.Sprint(issued[k-1].RunnerID))
		}
		out = append(out, w)
	}
	return out
}

// reclaimed is what a recovery logs when it removes runner "#k" (see
// expand) to register again.
func reclaimed(k int) string {
	return fmt.Sprintf(`Runner name "build-1" is taken by runner id #%d, which an earlier try of this run registered (offline, idle, never used). Removing it and registering again.`, k)
}

// checkTrail compares the requests the simulator got (after a given
// name's pre-check, which it adds) and the logs with want, and checks
// that no request waited.
func (f *fixture) checkTrail(generated bool, requests, logs []string) {
	f.t.Helper()
	if !generated {
		requests = append([]string{lookup}, requests...)
	}
	if diff := cmp.Diff(f.expand(requests...), f.requests()); diff != "" {
		f.t.Errorf("requests (-want +got):\n%s", diff)
	}
	f.mu.Lock()
	got := append([]string(nil), f.logs...)
	f.mu.Unlock()
	if diff := cmp.Diff(f.expand(logs...), got); diff != "" {
		f.t.Errorf("logs (-want +got):\n%s", diff)
	}
	if w := f.waits(); len(w) != 0 {
		f.t.Errorf("waits %v, want none: the registration is never replayed", w)
	}
}

// checkLeft compares the runners left in repo with the ones registered
// through generate-jitconfig whose 1-based indexes are in want.
func (f *fixture) checkLeft(want ...int) {
	f.t.Helper()
	issued := f.sim.JITConfigs()
	var wantIDs, gotIDs []int64
	for _, k := range want {
		wantIDs = append(wantIDs, issued[k-1].RunnerID)
	}
	for _, r := range f.runners(repo) {
		gotIDs = append(gotIDs, r.ID)
	}
	if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
		f.t.Errorf("runner ids left in %s (-want +got):\n%s", repo, diff)
	}
}

// TestRecoversFromLostAnswers: the registration is sent once per try of
// the transaction; after one that may have registered the runner, the
// transaction finds it by its exact name, proves it is its own, removes it
// and registers again, without waiting.
func TestRecoversFromLostAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		generated bool
		faults    []ghsim.JITFault
		lagging   func(k int) bool // the runner list, as in intercept
		want      []string         // after the pre-check, for a given name
		logs      []string
	}{
		{name: "connection dropped after registering", generated: true, faults: []ghsim.JITFault{ghsim.LoseResponse},
			want: []string{post, lookup, remove + "#1", post}, logs: []string{recovering, reclaimed(1)}},
		{name: "timed out after registering", generated: true, faults: []ghsim.JITFault{ghsim.HangAfterCreate},
			want: []string{post, lookup, remove + "#1", post}, logs: []string{recovering, reclaimed(1)}},
		{name: "502 after registering", generated: true, faults: []ghsim.JITFault{ghsim.ServerErrorAfterCreate},
			want: []string{post, lookup, remove + "#1", post}, logs: []string{recovering, reclaimed(1)}},
		{name: "twice registered and lost", generated: true, faults: []ghsim.JITFault{ghsim.LoseResponse, ghsim.ServerErrorAfterCreate},
			want: []string{post, lookup, remove + "#1", post, lookup, remove + "#2", post}, logs: []string{recovering, reclaimed(1), recovering, reclaimed(2)}},
		// GitHub's list does not show the lost runner yet, so the next try
		// meets it as a 409: that try's name can only be held by this run.
		{name: "409 after a lost answer the list did not show yet", generated: true, faults: []ghsim.JITFault{ghsim.ServerErrorAfterCreate},
			lagging: func(k int) bool { return k == 1 },
			want:    []string{post, lookup, post, lookup, remove + "#1", post}, logs: []string{recovering, recovering, reclaimed(1)}},
		{name: "502 without registering, given name", faults: []ghsim.JITFault{ghsim.ServerErrorBeforeCreate},
			want: []string{post, lookup, post}, logs: []string{recovering}},
		{name: "502 without registering, generated name", generated: true, faults: []ghsim.JITFault{ghsim.ServerErrorBeforeCreate},
			want: []string{post, lookup, post}, logs: []string{recovering}},
		{name: "two 502s, then registered on the last try", faults: []ghsim.JITFault{ghsim.ServerErrorBeforeCreate, ghsim.ServerErrorBeforeCreate},
			want: []string{post, lookup, post, lookup, post}, logs: []string{recovering, recovering}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.m.Client = f.client(adminToken, hangLimit)
			f.sim.FailJIT(tc.faults...)
			if tc.lagging != nil {
				intercept(f, nil, tc.lagging)
			}
			cfg, err := f.register(context.Background(), repo, request("build-1", tc.generated, "self-hosted", "gpu"))
			if err != nil {
				t.Fatal(err)
			}
			f.checkMinted(cfg, repo, "build-1")
			f.checkTrail(tc.generated, tc.want, tc.logs)
		})
	}
}

// givenNameDoubt is the reason a runner with a given name is never taken
// for this run's after a try that got no clear answer.
const givenNameDoubt = "this run cannot prove it registered that runner: its name was given as runner-name, and another job may have registered that name after this run checked it"

// TestGivenNameAfterALostAnswer: with a name the user gave, a runner with
// that name after an unclear failure may be this run's lost registration or
// another job's. Nothing tells them apart, so the runner is left registered
// and named, with how to remove it.
func TestGivenNameAfterALostAnswer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		fault    ghsim.JITFault
		lagging  func(k int) bool
		want     []string // after the pre-check
		logs     []string
		conflict bool // the error carries GitHub's 409
	}{
		{name: "connection dropped", fault: ghsim.LoseResponse, want: []string{post, lookup}, logs: []string{recovering}},
		{name: "timed out", fault: ghsim.HangAfterCreate, want: []string{post, lookup}, logs: []string{recovering}},
		{name: "502", fault: ghsim.ServerErrorAfterCreate, want: []string{post, lookup}, logs: []string{recovering}},
		// The list lags behind: the second try meets the runner as a 409,
		// and then the list shows it.
		{name: "409 after a lost answer the list did not show yet", fault: ghsim.ServerErrorAfterCreate,
			lagging: func(k int) bool { return k == 2 }, want: []string{post, lookup, post, lookup}, logs: []string{recovering, recovering}, conflict: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.m.Client = f.client(adminToken, hangLimit)
			f.sim.FailJIT(tc.fault)
			if tc.lagging != nil {
				intercept(f, nil, tc.lagging)
			}
			_, err := f.register(context.Background(), repo, request("build-1", false))
			if err == nil {
				t.Fatal("registered, want the name in use")
			}
			if want := "; " + givenNameDoubt; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not give the reason %q", err, want)
			}
			f.checkLeft(1)
			f.checkTrail(false, tc.want, tc.logs)
			id := f.sim.JITConfigs()[0].RunnerID
			wants := []string{
				fmt.Sprintf(`runner name "build-1" is already in use in repository octo-org/app by runner id %d (offline, idle)`, id),
				givenNameDoubt + fmt.Sprintf(". If it is this run's, remove it in repository octo-org/app's runner settings, or with gh api -X DELETE /repos/octo-org/app/actions/runners/%d", id),
			}
			if tc.conflict {
				wants = append(wants, "409 Conflict")
			}
			for _, w := range wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if got := isConflict(err); got != tc.conflict {
				t.Errorf("error is GitHub's 409: %v, want %v", got, tc.conflict)
			}
		})
	}
}

// TestConflictOnTheOnlyPOST: a 409 for this run's first registration, with
// no earlier try of this run that could hold the name, is another job's
// runner (or a transport that replayed the POST behind the policy's back:
// the same, as far as this run can tell). It is never removed, whether the
// name was generated or given, however much it looks like this run's.
func TestConflictOnTheOnlyPOST(t *testing.T) {
	t.Parallel()
	for _, generated := range []bool{true, false} {
		t.Run(fmt.Sprintf("generated=%v", generated), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			var other ghsim.Runner
			onNthPOST(f, 1, func(w http.ResponseWriter, r *http.Request) bool {
				other = f.sim.AddRunner(repo.APIPath(), ghsim.Runner{Name: "build-1", Labels: []string{"self-hosted"}})
				return false
			})
			_, err := f.register(context.Background(), repo, request("build-1", generated))
			if err == nil {
				t.Fatal("registered, want the name in use")
			}
			if want := "; another job registered it; no request of this run can have. Choose another runner-name"; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not give the reason %q", err, want)
			}
			for _, w := range []string{"409 Conflict", fmt.Sprintf("by runner id %d (offline, idle)", other.ID)} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if diff := cmp.Diff([]ghsim.Runner{other}, f.runners(repo)); diff != "" {
				t.Errorf("the other runner was touched (-want +got):\n%s", diff)
			}
			if n := len(f.sim.JITConfigs()); n != 0 {
				t.Errorf("%d runners registered", n)
			}
			f.checkTrail(generated, []string{post, lookup}, nil)
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
		{"online", true, ghsim.Runner{Name: "build-1", Status: "online", Labels: []string{"self-hosted"}}, "it is online, and the registration this run lost was never started"},
		{"busy", true, ghsim.Runner{Name: "build-1", Status: "offline", Busy: true, Labels: []string{"self-hosted"}}, "it is running a job"},
		{"other labels", true, ghsim.Runner{Name: "build-1", Labels: []string{"windows"}}, `it lacks the label "self-hosted" this run asked for`},
		{"other group", true, ghsim.Runner{Name: "build-1", Labels: []string{"self-hosted"}, GroupID: 2}, `it is in runner group id 2, not "Default" (id 1)`},
		{"same name in another case", true, ghsim.Runner{Name: "Build-1", Labels: []string{"self-hosted"}}, `it is named "Build-1"`},
		// Another job provisioning the same way: offline, idle, the same
		// labels and group. Only the name could tell, and it was given.
		{"identical, from another job", false, ghsim.Runner{Name: "build-1", Labels: []string{"self-hosted"}, GroupID: 1}, "its name was given as runner-name, and another job may have registered that name after this run checked it"},
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
			_, err := f.register(context.Background(), repo, request("build-1", tc.generated))
			if err == nil {
				t.Fatal("registered, want the name in use")
			}
			wantReason := "; this run cannot prove it registered that runner: " + tc.wantWhy + ". If it is this run's, " + runners.RemoveHint(repo, foreign.ID) + ". Choose another runner-name"
			if !strings.Contains(err.Error(), wantReason) {
				t.Errorf("error %q does not give the reason %q", err, wantReason)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("runner id %d", foreign.ID)) {
				t.Errorf("error %q does not name runner id %d", err, foreign.ID)
			}
			if diff := cmp.Diff([]ghsim.Runner{foreign}, f.runners(repo)); diff != "" {
				t.Errorf("the other runner was touched (-want +got):\n%s", diff)
			}
			f.checkTrail(tc.generated, []string{post, lookup}, []string{recovering})
		})
	}
}

// aborted drops the connection before the simulator's handler sees the
// request: nothing is registered, and the client cannot know it.
func aborted(http.ResponseWriter, *http.Request) bool { panic(http.ErrAbortHandler) }

func TestGivesUpAndCleansUp(t *testing.T) {
	t.Parallel()

	t.Run("every POST registers and loses its answer: at most 3, each runner removed", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		l := ghsim.LoseResponse
		f.sim.FailJIT(l, l, l, l, l)
		_, err := f.register(context.Background(), repo, request("build-1", true))
		f.checkTrail(true, []string{post, lookup, remove + "#1", post, lookup, remove + "#2", post, lookup, remove + "#3"},
			[]string{recovering, reclaimed(1), recovering, reclaimed(2)})
		for _, w := range f.expand("could not reach the GitHub API", `Runner "build-1" (id #3), which this run registered, was removed`) {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v lacks %q", err, w)
			}
		}
		if n := len(f.sim.JITConfigs()); n != maxPosts {
			t.Errorf("%d runners registered, want %d", n, maxPosts)
		}
		f.checkLeft()
	})

	t.Run("the first answer lost, the later POSTs dropped on the way in", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.sim.FailJIT(ghsim.LoseResponse)
		intercept(f, func(k int) ghsim.Fault {
			if k > 1 {
				return aborted
			}
			return nil
		}, nil)
		_, err := f.register(context.Background(), repo, request("build-1", true))
		f.checkTrail(true, []string{post, lookup, remove + "#1", post, lookup, post, lookup}, []string{recovering, reclaimed(1), recovering})
		if want := `GitHub lists no runner named "build-1", but one may have been registered all the same (its list can lag): if it appears in repository octo-org/app's runner settings, remove it`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
		f.checkLeft()
	})

	t.Run("nothing registered", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		b := ghsim.ServerErrorBeforeCreate
		f.sim.FailJIT(b, b, b, b, b)
		_, err := f.register(context.Background(), repo, request("build-1", true))
		var e *githubapi.Error
		if !errors.As(err, &e) || e.StatusCode != http.StatusBadGateway || !strings.Contains(err.Error(), `GitHub lists no runner named "build-1", but one may have been registered all the same`) || !strings.Contains(shown(err, repo, config.Group{}), "githubstatus.com") {
			t.Errorf("error = %v", err)
		}
		f.checkTrail(true, []string{post, lookup, post, lookup, post, lookup}, []string{recovering, recovering})
		f.checkLeft()
	})

	// The 502 says the credential's rate limit is used up until long after
	// the deadline: no later request is sent, so the runner can be neither
	// found nor removed (GitHub would refuse both), and the error says so.
	t.Run("the rate limit used up by an unclear POST", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.sim.FailJIT(ghsim.ServerErrorAfterCreate)
		onNthPOST(f, 1, f.sim.ExhaustRateLimit(time.Now().Add(50*time.Minute)))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		_, err := f.register(ctx, repo, request("build-1", true))
		for _, w := range []string{
			"502 Bad Gateway",
			"GitHub's rate limit for this credential is used up until",
			"nothing was sent",
			`A runner named "build-1" may have been registered by this run, and looking for it failed (`,
			"if it appears in repository octo-org/app's runner settings, remove it",
		} {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("error %v lacks %q", err, w)
			}
		}
		// The recovery's look-up failed unsent, so it gives the POST's
		// failure back unchanged; the undo looks again and says so once.
		var e *githubapi.Error
		if !errors.As(err, &e) || e.StatusCode != http.StatusBadGateway {
			t.Errorf("error = %v, want GitHub's 502", err)
		}
		if n := strings.Count(fmt.Sprint(err), "nothing was sent"); n != 1 {
			t.Errorf("error %v says %d times that nothing was sent, want once (the undo's look-up)", err, n)
		}
		// Neither look-up was sent: the simulator got the POST alone.
		f.checkTrail(true, []string{post}, []string{recovering})
		f.checkLeft(1)
	})

	t.Run("cancelled while waiting for an answer", func(t *testing.T) {
		t.Parallel()
		for _, generated := range []bool{true, false} {
			t.Run(fmt.Sprintf("generated=%v", generated), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				f.m.Client = f.client(adminToken, time.Minute)
				f.sim.FailJIT(ghsim.HangAfterCreate)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				onNthPOST(f, 1, func(w http.ResponseWriter, r *http.Request) bool {
					time.AfterFunc(200*time.Millisecond, cancel)
					return false
				})
				_, err := f.register(ctx, repo, request("build-1", generated))
				if !errors.Is(err, context.Canceled) {
					t.Errorf("error = %v, want cancellation", err)
				}
				if generated {
					// Undone within the grace, after the cancellation.
					f.checkTrail(true, []string{post, lookup, remove + "#1"}, nil)
					f.checkLeft()
					if want := f.expand(`Runner "build-1" (id #1), which this run registered, was removed`)[0]; !strings.Contains(fmt.Sprint(err), want) {
						t.Errorf("error %v lacks %q", err, want)
					}
					return
				}
				f.checkTrail(false, []string{post, lookup}, nil)
				f.checkLeft(1)
				want := f.expand(`Runner "build-1" (id #1, offline, idle, labels [self-hosted]) has the name and was left alone: its name was given as runner-name, and another job may have registered that name after this run checked it. If it is this run's, remove it in repository octo-org/app's runner settings, or with gh api -X DELETE /repos/octo-org/app/actions/runners/#1`)[0]
				if !strings.Contains(fmt.Sprint(err), want) {
					t.Errorf("error %v lacks %q", err, want)
				}
			})
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
			_, err := f.register(context.Background(), tc.target, req)
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
	cfg, err := f.register(context.Background(), repo, request("build-1", true))
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
// this request's, so it is removed (by the id the answer gave, else found
// by its exact name), for a given name too, and never retried.
func TestUnusableSuccess(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		spoil func(f *fixture)
		want  string
		undo  []string // what the undo sends
	}{
		{"not JSON", func(f *fixture) { f.sim.FailJIT(ghsim.GarbageAfterCreate) }, "not valid JSON", []string{lookup, remove + "#1"}},
		{"labels not a list", func(f *fixture) { f.sim.FailJIT(ghsim.WrongTypeAfterCreate) }, "the runner is not as GitHub describes runners", []string{remove + "#1"}},
		{"no config", func(f *fixture) { f.sim.Wrap(withoutField(f.sim, "encoded_jit_config")) }, "no encoded_jit_config", []string{remove + "#1"}},
		{"no runner id", func(f *fixture) { f.sim.Wrap(withoutField(f.sim, "runner")) }, "no runner id", []string{lookup, remove + "#1"}},
	}
	for _, tc := range cases {
		for _, generated := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s, generated=%v", tc.name, generated), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				tc.spoil(f)
				_, err := f.register(context.Background(), repo, request("build-1", generated))
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "which this run registered, was removed") {
					t.Errorf("error = %v, want %q and the runner removed", err, tc.want)
				}
				if want := "GitHub's answer has no usable JIT config (" + tc.want; tc.want != "not valid JSON" && !strings.Contains(err.Error(), want) {
					t.Errorf("error = %v, want %q", err, want)
				}
				if got := f.runners(repo); len(got) != 0 {
					t.Errorf("runners left: %+v", got)
				}
				if n := len(f.sim.JITConfigs()); n != 1 {
					t.Errorf("%d requests registered a runner, want 1 (no retry)", n)
				}
				f.checkTrail(generated, append([]string{post}, tc.undo...), nil)
			})
		}
	}
}

// TestClearAnswerAfterAnUnclearOne: once a try may have registered the
// runner, a later clear refusal still ends with it removed: by the
// recovery before that try, or, when GitHub's list did not show it then,
// by the undo after it.
func TestClearAnswerAfterAnUnclearOne(t *testing.T) {
	t.Parallel()
	type answer struct {
		name   string
		answer func(s *ghsim.Server) ghsim.Fault
		want   string
	}
	answers := []answer{
		{"422", func(s *ghsim.Server) ghsim.Fault { return s.ValidationFailed(1) }, "422 Unprocessable Entity"},
		{"403", func(s *ghsim.Server) ghsim.Fault { return s.Status(403, "Resource not accessible by integration") }, "403 Forbidden"},
		{"a rate limit resetting after the deadline", func(s *ghsim.Server) ghsim.Fault {
			return s.PrimaryRateLimit(time.Now().Add(50 * time.Minute))
		}, "of the step's timeout remained"},
	}
	for _, tc := range answers {
		for _, lagging := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, list lagging=%v", tc.name, lagging), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				f.sim.FailJIT(ghsim.ServerErrorAfterCreate)
				refuse := tc.answer(f.sim)
				intercept(f, func(k int) ghsim.Fault {
					if k == 2 {
						return refuse
					}
					return nil
				}, func(k int) bool { return lagging && k == 1 })
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				_, err := f.register(ctx, repo, request("build-1", true))
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error = %v, want %q", err, tc.want)
				}
				rateLimited := strings.HasPrefix(tc.name, "a rate limit")
				switch {
				case !lagging:
					// Removed before the refused try: nothing left to undo.
					f.checkTrail(true, []string{post, lookup, remove + "#1", post}, []string{recovering, reclaimed(1)})
					f.checkLeft()
					if strings.Contains(err.Error(), `Runner "build-1"`) || strings.Contains(err.Error(), "remove it") {
						t.Errorf("error %v says more than the refusal", err)
					}
				case !rateLimited:
					f.checkTrail(true, []string{post, lookup, post, lookup, remove + "#1"}, []string{recovering})
					f.checkLeft()
					if want := f.expand(`Runner "build-1" (id #1), which this run registered, was removed`)[0]; !strings.Contains(err.Error(), want) {
						t.Errorf("error %v lacks %q", err, want)
					}
				default:
					// The refusal said the rate limit is used up past the
					// deadline: the undo's look-up is never sent, and the
					// runner is left, named by the error.
					f.checkTrail(true, []string{post, lookup, post}, []string{recovering})
					f.checkLeft(1)
					for _, w := range []string{
						`A runner named "build-1" may have been registered by this run, and looking for it failed (`,
						"GitHub's rate limit for this credential is used up until",
						"nothing was sent",
						"if it appears in repository octo-org/app's runner settings, remove it",
					} {
						if !strings.Contains(err.Error(), w) {
							t.Errorf("error %v lacks %q", err, w)
						}
					}
				}
			})
		}
	}
}

// TestUndoByTheAnsweredID: a 2xx whose body has the runner's id but no
// usable config registered that runner; it is removed by that id with no
// look-up, even while GitHub's list does not show it yet.
func TestUndoByTheAnsweredID(t *testing.T) {
	t.Parallel()
	for _, generated := range []bool{true, false} {
		t.Run(fmt.Sprintf("generated=%v", generated), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			noConfig := f.sim.Tamper(func(answer map[string]any) { delete(answer, "encoded_jit_config") })
			intercept(f, func(int) ghsim.Fault { return noConfig }, func(int) bool { return true })
			_, err := f.register(context.Background(), repo, request("build-1", generated))
			for _, w := range f.expand("GitHub's answer has no usable JIT config (no encoded_jit_config string)", `Runner "build-1" (id #1), which this run registered, was removed`) {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v lacks %q", err, w)
				}
			}
			f.checkTrail(generated, []string{post, remove + "#1"}, nil)
			f.checkLeft()
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
	_, err := f.register(ctx, repo, request("build-1", true))
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
	if w := f.clk.Waited(); w > grace {
		t.Errorf("waited %s for a clean-up", w)
	}
}

// TestUndo: a runner minted for a step that then fails is removed.
func TestUndo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg, err := f.register(context.Background(), org, request("build-1", false, "self-hosted", "gpu"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // cancelled: the undo still has its grace, in the step's clean-up context
	cleanup, stop := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer stop()
	err = cfg.Undo(cleanup, errors.New("writing outputs failed"))
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
			_, err := f.register(context.Background(), org, request("build-1", true))
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
	_, err := f.register(context.Background(), repo, request("build-1", true))
	for _, w := range []string{"409 Conflict", `does not list such a runner yet`, `GitHub lists no runner named "build-1", but one may have been registered all the same (its list can lag): if it appears in repository octo-org/app's runner settings, remove it`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %q", err, w)
		}
	}
	if strings.Contains(fmt.Sprint(err), "was registered") && !strings.Contains(fmt.Sprint(err), "may have been registered") {
		t.Errorf("error %v claims to know", err)
	}
	// The look-up after the 409, then the undo's: nothing is removed.
	f.checkTrail(true, []string{post, lookup, post, lookup, lookup}, []string{recovering, recovering})
	f.checkLeft()
}

// hangLimit bounds each try in tests whose faults hang: long enough that a
// normal answer under -race on a loaded machine never reaches it, short
// enough that a hang costs the test one second.
const hangLimit = time.Second
