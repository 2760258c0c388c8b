package runnertoken

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/githubtest"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

func TestCreate(t *testing.T) {
	t.Parallel()
	targets := []struct {
		t    target.Target
		path string
	}{
		{target.Target{Scope: target.Repository, Owner: "o", Repo: "r"}, "/repos/o/r"},
		{target.Target{Scope: target.Organization, Owner: "o"}, "/orgs/o"},
		{target.Target{Scope: target.Enterprise, Owner: "e"}, "/enterprises/e"},
	}
	for _, tt := range targets {
		for _, kind := range []config.Kind{config.Registration, config.Remove} {
			t.Run(fmt.Sprintf("%s %s", tt.t, kind), func(t *testing.T) {
				t.Parallel()
				client, mux := githubtest.Setup(t)
				mux.HandleFunc(tt.path+"/actions/runners/"+string(kind)+"-token", func(w http.ResponseWriter, r *http.Request) {
					githubtest.TestMethod(t, r, http.MethodPost)
					githubtest.TestAuth(t, r, githubtest.Token)
					w.WriteHeader(http.StatusCreated)
					// RFC 3339 allows a lower-case t and z; the output keeps them.
					fmt.Fprint(w, `{"token":"AABBCC","expires_at":"2026-11-25t15:04:05.000+01:00"}`)
				})
				got, err := Create(context.Background(), client, tt.t, kind)
				if err != nil {
					t.Fatal(err)
				}
				want := &Token{Value: "AABBCC", ExpiresAt: untrusted.Of("2026-11-25t15:04:05.000+01:00")}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Create (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestCreateErrors(t *testing.T) {
	t.Parallel()
	repo := target.Target{Scope: target.Repository, Owner: "o", Repo: "r"}
	cases := []struct {
		name   string
		status int
		body   string
		check  func(t *testing.T, err error)
	}{
		{"403", 403, `{"message":"Must have admin rights to Repository."}`, func(t *testing.T, err error) {
			var e *githubapi.Error
			if !errors.As(err, &e) || e.Op != githubapi.OpRunnerToken || e.StatusCode != http.StatusForbidden {
				t.Errorf("error = %#v, want a 403 from the runner token request", err)
			}
		}},
		{"no token", 201, `{"expires_at":"2026-11-25T15:04:05Z"}`, func(t *testing.T, err error) {
			if want := "could not mint a registration token for repository o/r: GitHub's answer has no token. This is unexpected"; err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error = %v, want %q", err, want)
			}
		}},
		{"not JSON", 201, `<html>`, func(t *testing.T, err error) {
			if !errors.Is(err, githubapi.ErrNotJSON) {
				t.Errorf("error = %v, want ErrNotJSON", err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client, mux := githubtest.Setup(t)
			mux.HandleFunc("/repos/o/r/actions/runners/registration-token", func(w http.ResponseWriter, r *http.Request) {
				githubtest.TestMethod(t, r, http.MethodPost)
				githubtest.TestAuth(t, r, githubtest.Token)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			tok, err := Create(context.Background(), client, repo, config.Registration)
			if tok != nil {
				t.Errorf("a token with the error")
			}
			tc.check(t, err)
		})
	}
}
