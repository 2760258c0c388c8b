package jit

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/githubtest"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// The calls a registration is made of, one at a time, in go-github's style.

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
			want := []RunnerGroup{{ID: 1, Name: untrusted.Of("Default"), Default: true}, {ID: 4, Name: untrusted.Of("gpu"), Inherited: true}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("listGroups (-want +got):\n%s", diff)
			}
		})
	}
}
