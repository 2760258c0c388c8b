package runners

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/fakeclock"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/retry"
)

const adminToken = "ghp_runnersRunnersRunnersRunnersRunne01"

// simClient is a simulator with two runners in each target, build-1 and
// keep-me, and a client of it through the retry policy on a fake clock.
func simClient(t *testing.T) (*ghsim.Server, *github.Client) {
	t.Helper()
	s := ghsim.Start(t)
	s.AddCredential("admin", adminToken, ghsim.Credential{Admin: []string{"octo-org/app", "octo-org", "enterprises/octo-ent"}})
	for _, sc := range scopes {
		s.AddRunner(sc.t.APIPath(), ghsim.Runner{Name: "build-1", Status: "offline", Labels: []string{"self-hosted"}})
		s.AddRunner(sc.t.APIPath(), ghsim.Runner{Name: "keep-me", Status: "online", Labels: []string{"self-hosted"}})
	}
	clk := fakeclock.New(time.Now())
	base, _ := url.Parse(s.URL())
	return s, githubapi.NewClient(s.Client(), base, adminToken, githubapi.WithPolicy(retry.Policy{
		Now: clk.Now, Sleep: clk.Sleep, Jitter: func() float64 { return 0 },
	}))
}

func names(rs []ghsim.Runner) []string {
	var n []string
	for _, r := range rs {
		n = append(n, r.Name)
	}
	return n
}

func idOf(t *testing.T, s *ghsim.Server, path, name string) int64 {
	t.Helper()
	for _, r := range s.Runners(path) {
		if r.Name == name {
			return r.ID
		}
	}
	t.Fatalf("no runner %s in %s", name, path)
	return 0
}

func TestDelete(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// ref names the runner, given the simulator (for ids).
		ref    func(t *testing.T, s *ghsim.Server, path string) config.RunnerRef
		faults func(s *ghsim.Server) []ghsim.Fault
		busy   bool
		// want: what Delete says, and which runners are left.
		want     Outcome
		wantLeft []string
	}{
		{name: "by id",
			ref: func(t *testing.T, s *ghsim.Server, path string) config.RunnerRef {
				return config.RunnerRef{ID: idOf(t, s, path, "build-1")}
			},
			want: Removed, wantLeft: []string{"keep-me"}},
		{name: "by name, as GitHub compares names",
			ref:  func(*testing.T, *ghsim.Server, string) config.RunnerRef { return config.RunnerRef{Name: "BUILD-1"} },
			want: Removed, wantLeft: []string{"keep-me"}},
		{name: "an id that is gone",
			ref:      func(*testing.T, *ghsim.Server, string) config.RunnerRef { return config.RunnerRef{ID: 987654} },
			wantLeft: []string{"build-1", "keep-me"}},
		{name: "a name that is gone",
			ref:      func(*testing.T, *ghsim.Server, string) config.RunnerRef { return config.RunnerRef{Name: "build-9"} },
			wantLeft: []string{"build-1", "keep-me"}},
		{name: "removed, and the answer lost: the retry's 404 is this step's removal",
			ref: func(*testing.T, *ghsim.Server, string) config.RunnerRef { return config.RunnerRef{Name: "build-1"} },
			faults: func(s *ghsim.Server) []ghsim.Fault {
				return []ghsim.Fault{nil, s.AppliedThen(s.Status(http.StatusBadGateway, "Server Error"))}
			},
			want: Removed, wantLeft: []string{"keep-me"}},
		{name: "removed by someone else between the look-up and the removal",
			ref: func(*testing.T, *ghsim.Server, string) config.RunnerRef { return config.RunnerRef{Name: "build-1"} },
			faults: func(s *ghsim.Server) []ghsim.Fault {
				return []ghsim.Fault{nil, s.AppliedThen(func(http.ResponseWriter, *http.Request) bool { return false })}
			},
			want: RemovedByOther, wantLeft: []string{"keep-me"}},
		{name: "an online idle runner is removed",
			ref:  func(*testing.T, *ghsim.Server, string) config.RunnerRef { return config.RunnerRef{Name: "keep-me"} },
			want: Removed, wantLeft: []string{"build-1"}},
	}
	for _, sc := range scopes {
		for _, tc := range cases {
			t.Run(sc.t.String()+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				s, c := simClient(t)
				ref := tc.ref(t, s, sc.t.APIPath())
				if tc.faults != nil {
					s.Inject(tc.faults(s)...)
				}
				got, outcome, err := Delete(context.Background(), c, sc.t, ref)
				if err != nil {
					t.Fatalf("Delete: %v", err)
				}
				if outcome != tc.want {
					t.Errorf("Delete = outcome %d, want %d", outcome, tc.want)
				}
				if got.ID == 0 && got.Name.IsEmpty() {
					t.Errorf("Delete names no runner: %+v", got)
				}
				if diff := cmp.Diff(tc.wantLeft, names(s.Runners(sc.t.APIPath()))); diff != "" {
					t.Errorf("runners left (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestDeleteNeverABusyRunner: a runner running a job is left registered,
// whether it was busy when looked up or took a job just before the removal.
func TestDeleteNeverABusyRunner(t *testing.T) {
	t.Parallel()
	for _, raced := range []bool{false, true} {
		t.Run(map[bool]string{false: "busy when looked up", true: "took a job since"}[raced], func(t *testing.T) {
			t.Parallel()
			s, c := simClient(t)
			busy := s.AddRunner(org.APIPath(), ghsim.Runner{Name: "busy-1", Status: "online", Busy: !raced, Labels: []string{"self-hosted"}})
			if raced {
				s.Inject(nil, s.Status(http.StatusUnprocessableEntity, `Bad request - Runner "busy-1" is still running a job`))
			}
			got, _, err := Delete(context.Background(), c, org, config.RunnerRef{ID: busy.ID})
			if err == nil {
				t.Fatalf("Delete = %+v, want an error for the busy runner", got)
			}
			for _, w := range []string{fmt.Sprintf(`runner "busy-1" (id %d, online, `, busy.ID), "Let the job finish or cancel it"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if e, ok := errors.AsType[*githubapi.Error](err); raced != ok || ok && e.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("error %#v: GitHub's refusal is wrapped: %v, want %v", err, ok, raced)
			}
			if diff := cmp.Diff([]string{"build-1", "keep-me", "busy-1"}, names(s.Runners(org.APIPath()))); diff != "" {
				t.Errorf("runners left (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeleteOnATargetItCannotSee: a 404 for an id is "gone" only once the
// target's own list answers; otherwise it is the error it is.
func TestDeleteOnATargetItCannotSee(t *testing.T) {
	t.Parallel()
	_, c := simClient(t)
	missing := org
	missing.Owner = "no-such-org"
	_, _, err := Delete(context.Background(), c, missing, config.RunnerRef{ID: 1})
	var e *githubapi.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusNotFound {
		t.Errorf("Delete = %v, want GitHub's 404 for the target", err)
	}
}

// TestDeleteARunnerWithoutAnID: a listing without an id removes nothing.
func TestDeleteARunnerWithoutAnID(t *testing.T) {
	t.Parallel()
	s, c := simClient(t)
	s.Inject(s.Answer(http.StatusOK, `{"total_count":1,"runners":[{"name":"build-1","status":"offline"}]}`))
	if _, _, err := Delete(context.Background(), c, org, config.RunnerRef{Name: "build-1"}); err == nil || !strings.Contains(err.Error(), "without an id") {
		t.Errorf("Delete: %v, want a refusal", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("API got %d requests, want only the look-up", n)
	}
}
