package jit

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
)

// The calls a registration is made of, one at a time, in go-github's style.

func TestFindRunner(t *testing.T) {
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
	m := &Registrar{Client: client}
	got, err := m.findRunner(context.Background(), org, "build-1")
	if err != nil {
		t.Fatal(err)
	}
	want := &Runner{ID: 8, Name: "build-1", Status: "offline", GroupID: 3, Labels: []Label{{ID: 1, Name: "gpu", Type: "custom"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findRunner (-want +got):\n%s", diff)
	}
}

func TestDeleteRunner(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		body   string
		want   githubapi.Hint // HintNone: no error
	}{
		{"removed", http.StatusNoContent, ``, githubapi.HintNone},
		{"already gone", http.StatusNotFound, `{"message":"Not Found"}`, githubapi.HintNone},
		{"running a job", http.StatusUnprocessableEntity, `{"message":"Bad request - Runner \"x\" is still running a job"}`, githubapi.HintInvalid},
		{"a web page", http.StatusNotFound, `<html>`, githubapi.HintNotAPI},
	}
	for _, tt := range []struct {
		t    target.Target
		path string
	}{{repo, "/repos/octo-org/app"}, {org, "/orgs/octo-org"}, {ent, "/enterprises/octo-ent"}} {
		for _, tc := range cases {
			t.Run(tt.t.String()+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				client, mux := githubtest.Setup(t)
				mux.HandleFunc(tt.path+"/actions/runners/42", func(w http.ResponseWriter, r *http.Request) {
					githubtest.TestMethod(t, r, http.MethodDelete)
					githubtest.TestAuth(t, r, githubtest.Token)
					w.WriteHeader(tc.status)
					fmt.Fprint(w, tc.body)
				})
				err := (&Registrar{Client: client}).deleteRunner(context.Background(), tt.t, 42)
				var e *githubapi.Error
				switch {
				case tc.want == githubapi.HintNone && err != nil:
					t.Errorf("deleteRunner: %v", err)
				case tc.want != githubapi.HintNone && (!errors.As(err, &e) || e.Hint != tc.want || e.Op != githubapi.OpRemoveRunner):
					t.Errorf("deleteRunner: %#v, want hint %d from the removal", err, tc.want)
				}
			})
		}
	}
}

func TestListGroups(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		t    target.Target
		path string
	}{{org, "/orgs/octo-org"}, {ent, "/enterprises/octo-ent"}} {
		t.Run(tt.t.String(), func(t *testing.T) {
			t.Parallel()
			client, mux := githubtest.Setup(t)
			mux.HandleFunc(tt.path+"/actions/runner-groups", func(w http.ResponseWriter, r *http.Request) {
				githubtest.TestMethod(t, r, http.MethodGet)
				githubtest.TestAuth(t, r, githubtest.Token)
				page := r.URL.Query().Get("page")
				githubtest.TestQuery(t, r, url.Values{"page": {page}, "per_page": {"100"}})
				if page == "1" {
					w.Header().Set("Link", `<`+r.URL.Path+`?page=2>; rel="next"`)
					fmt.Fprint(w, `{"total_count":2,"runner_groups":[{"id":1,"name":"Default","default":true}]}`)
					return
				}
				fmt.Fprint(w, `{"total_count":2,"runner_groups":[{"id":4,"name":"gpu","default":false,"inherited":true}]}`)
			})
			got, complete, err := (&Registrar{Client: client}).listGroups(context.Background(), tt.t)
			if err != nil || !complete {
				t.Fatalf("listGroups: complete %v, %v", complete, err)
			}
			want := []RunnerGroup{{ID: 1, Name: "Default", Default: true}, {ID: 4, Name: "gpu", Inherited: true}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("listGroups (-want +got):\n%s", diff)
			}
		})
	}
}
