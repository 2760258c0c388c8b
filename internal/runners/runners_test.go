package runners

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/githubtest"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

var (
	repo = target.Target{Scope: target.Repository, Owner: "octo-org", Repo: "app"}
	org  = target.Target{Scope: target.Organization, Owner: "octo-org"}
	ent  = target.Target{Scope: target.Enterprise, Owner: "octo-ent"}

	scopes = []struct {
		t    target.Target
		path string
	}{{repo, "/repos/octo-org/app"}, {org, "/orgs/octo-org"}, {ent, "/enterprises/octo-ent"}}
)

func TestFind(t *testing.T) {
	t.Parallel()
	client, mux := githubtest.Setup(t)
	mux.HandleFunc("/orgs/octo-org/actions/runners", func(w http.ResponseWriter, r *http.Request) {
		githubtest.TestMethod(t, r, http.MethodGet)
		githubtest.TestAuth(t, r, githubtest.Token)
		page := r.URL.Query().Get("page")
		githubtest.TestQuery(t, r, url.Values{"name": {"build-1"}, "page": {page}, "per_page": {"100"}})
		if page == "1" {
			// GitHub's filter ignores case; another spelling comes first.
			w.Header().Set("Link", `<`+r.URL.Path+`?page=2>; rel="next"`)
			fmt.Fprint(w, `{"total_count":2,"runners":[{"id":7,"name":"Build-1","status":"offline","labels":[]}]}`)
			return
		}
		fmt.Fprint(w, `{"total_count":2,"runners":[{"id":8,"name":"build-1","status":"offline","busy":false,"runner_group_id":3,"labels":[{"id":1,"name":"gpu","type":"custom"}]}]}`)
	})
	got, err := Find(context.Background(), client, org, "build-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &Runner{ID: 8, Name: untrusted.Of("build-1"), Status: untrusted.Of("offline"), GroupID: 3, Labels: []Label{{Name: untrusted.Of("gpu")}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Find (-want +got):\n%s", diff)
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	const runner = `{"id":42,"name":"build-1","os":"linux","status":"online","busy":true,"labels":[{"id":1,"name":"self-hosted","type":"read-only"}]}`
	cases := []struct {
		name       string
		status     int
		body       string
		listStatus int // the target's runner list, asked only after a 404
		want       *Runner
		wantStatus int // 0: no error
		wantOp     githubapi.Op
	}{
		{name: "found", status: 200, body: runner,
			want: &Runner{ID: 42, Name: untrusted.Of("build-1"), OS: untrusted.Of("linux"), Status: untrusted.Of("online"), Busy: true, Labels: []Label{{Name: untrusted.Of("self-hosted")}}}},
		{name: "no such runner", status: 404, body: `{"message":"Not Found"}`, listStatus: 200},
		{name: "no such target", status: 404, body: `{"message":"Not Found"}`, listStatus: 404, wantStatus: 404, wantOp: githubapi.OpListRunners},
		{name: "no permission", status: 403, body: `{"message":"Resource not accessible by personal access token"}`, wantStatus: 403, wantOp: githubapi.OpGetRunner},
	}
	for _, sc := range scopes {
		for _, tc := range cases {
			t.Run(sc.t.String()+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				client, mux := githubtest.Setup(t)
				mux.HandleFunc(sc.path+"/actions/runners/42", func(w http.ResponseWriter, r *http.Request) {
					githubtest.TestMethod(t, r, http.MethodGet)
					githubtest.TestAuth(t, r, githubtest.Token)
					w.WriteHeader(tc.status)
					fmt.Fprint(w, tc.body)
				})
				listed := 0
				mux.HandleFunc(sc.path+"/actions/runners", func(w http.ResponseWriter, r *http.Request) {
					listed++
					githubtest.TestMethod(t, r, http.MethodGet)
					githubtest.TestQuery(t, r, url.Values{"per_page": {"1"}})
					w.WriteHeader(tc.listStatus)
					if tc.listStatus != 200 {
						fmt.Fprint(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`)
						return
					}
					fmt.Fprint(w, `{"total_count":0,"runners":[]}`)
				})
				got, err := Get(context.Background(), client, sc.t, 42)
				var e *githubapi.Error
				switch {
				case tc.wantStatus == 0 && err != nil:
					t.Fatalf("Get: %v", err)
				case tc.wantStatus != 0 && (!errors.As(err, &e) || e.StatusCode != tc.wantStatus || e.Op != tc.wantOp):
					t.Fatalf("Get: %v, want %d from op %d", err, tc.wantStatus, tc.wantOp)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("Get (-want +got):\n%s", diff)
				}
				if want := map[bool]int{true: 1, false: 0}[tc.status == 404]; listed != want {
					t.Errorf("listed the target's runners %d times, want %d", listed, want)
				}
			})
		}
	}
}

// TestGetAnotherRunner: an answer about another runner is not taken for
// the one asked for.
func TestGetAnotherRunner(t *testing.T) {
	t.Parallel()
	client, mux := githubtest.Setup(t)
	mux.HandleFunc("/orgs/octo-org/actions/runners/42", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"id":43,"name":"build-2","status":"offline"}`)
	})
	if got, err := Get(context.Background(), client, org, 42); err == nil {
		t.Errorf("Get = %+v, want an error", got)
	}
}

func TestRemove(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   int
		body     string
		wantGone bool
		wantErr  int  // the error's status; 0: no error
		notJSON  bool // the error says the body was not GitHub's JSON
	}{
		{"removed", http.StatusNoContent, ``, false, 0, false},
		{"already gone", http.StatusNotFound, `{"message":"Not Found"}`, true, 0, false},
		{"running a job", http.StatusUnprocessableEntity, `{"message":"Bad request - Runner \"x\" is still running a job"}`, false, 422, false},
		{"a web page", http.StatusNotFound, `<html>`, false, 404, true},
	}
	for _, sc := range scopes {
		for _, tc := range cases {
			t.Run(sc.t.String()+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				client, mux := githubtest.Setup(t)
				mux.HandleFunc(sc.path+"/actions/runners/42", func(w http.ResponseWriter, r *http.Request) {
					githubtest.TestMethod(t, r, http.MethodDelete)
					githubtest.TestAuth(t, r, githubtest.Token)
					w.WriteHeader(tc.status)
					fmt.Fprint(w, tc.body)
				})
				gone, err := Remove(context.Background(), client, sc.t, 42)
				var e *githubapi.Error
				switch {
				case tc.wantErr == 0 && (err != nil || gone != tc.wantGone):
					t.Errorf("Remove = %v, %v; want gone %v", gone, err, tc.wantGone)
				case tc.wantErr != 0 && (!errors.As(err, &e) || e.StatusCode != tc.wantErr || e.NotJSON != tc.notJSON || e.Op != githubapi.OpRemoveRunner):
					t.Errorf("Remove: %#v, want %d (not JSON: %v) from the removal", err, tc.wantErr, tc.notJSON)
				}
			})
		}
	}
}
