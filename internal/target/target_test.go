package target

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name    string
		parse   func(string) (Target, error)
		in      string
		want    Target
		wantErr string
	}{
		{name: "repo", parse: ParseRepository, in: "octo-org/app", want: Target{Scope: Repository, Owner: "octo-org", Repo: "app"}},
		{name: "repo dots", parse: ParseRepository, in: "octo/my.app_v2-x", want: Target{Scope: Repository, Owner: "octo", Repo: "my.app_v2-x"}},
		{name: "repo .git", parse: ParseRepository, in: "octo/app.git", want: Target{Scope: Repository, Owner: "octo", Repo: "app"}},
		{name: "repo no slash", parse: ParseRepository, in: "octo", wantErr: "expected owner/name"},
		{name: "repo two slashes", parse: ParseRepository, in: "octo/app/x", wantErr: "expected owner/name"},
		{name: "repo url", parse: ParseRepository, in: "https://github.com/octo/app", wantErr: "not a URL"},
		{name: "repo host", parse: ParseRepository, in: "github.com/octo/app", wantErr: "not a URL"},
		{name: "repo dotdot", parse: ParseRepository, in: "octo/..", wantErr: "not a valid repository name"},
		{name: "repo traversal owner", parse: ParseRepository, in: "../app", wantErr: "not a valid owner"},
		{name: "repo space", parse: ParseRepository, in: "octo/my app", wantErr: "not a valid repository name"},
		{name: "repo empty name", parse: ParseRepository, in: "octo/", wantErr: "not a valid repository name"},
		{name: "repo query", parse: ParseRepository, in: "octo/app?x=1", wantErr: "not a valid repository name"},
		{name: "org", parse: ParseOrganization, in: "octo-org", want: Target{Scope: Organization, Owner: "octo-org"}},
		{name: "org slash", parse: ParseOrganization, in: "octo/org", wantErr: "expected an organization login"},
		{name: "org leading hyphen", parse: ParseOrganization, in: "-octo", wantErr: "expected an organization login"},
		{name: "enterprise", parse: ParseEnterprise, in: "octo-ent", want: Target{Scope: Enterprise, Owner: "octo-ent"}},
		{name: "enterprise underscore", parse: ParseEnterprise, in: "octo_ent", wantErr: "enterprise's slug"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.parse(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), "invalid target: ") || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parse(%q) error = %v, want an invalid target error mentioning %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parse(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestPathsAndURLs(t *testing.T) {
	t.Parallel()

	dotcom := mustURL(t, "https://github.com")
	ghes := mustURL(t, "https://ghes.example.com/")
	cases := []struct {
		target    Target
		server    *url.URL
		wantPath  string
		wantURL   string
		wantName  string
		wantShown string
	}{
		{Target{Scope: Repository, Owner: "octo", Repo: "app"}, dotcom, "repos/octo/app", "https://github.com/octo/app", "octo/app", "repository octo/app"},
		{Target{Scope: Organization, Owner: "octo"}, dotcom, "orgs/octo", "https://github.com/octo", "octo", "organization octo"},
		{Target{Scope: Enterprise, Owner: "ent"}, dotcom, "enterprises/ent", "https://github.com/enterprises/ent", "ent", "enterprise ent"},
		{Target{Scope: Enterprise, Owner: "ent"}, ghes, "enterprises/ent", "https://ghes.example.com/enterprises/ent", "ent", "enterprise ent"},
		{Target{Scope: Repository, Owner: "octo", Repo: "app"}, mustURL(t, "https://u:p@ghes.example.com/?q=1#f"), "repos/octo/app", "https://ghes.example.com/octo/app", "octo/app", "repository octo/app"},
		{Target{Scope: Organization, Owner: "octo"}, mustURL(t, "https://ghes.example.com/base/?"), "orgs/octo", "https://ghes.example.com/base/octo", "octo", "organization octo"},
	}
	for _, tc := range cases {
		if got := tc.target.APIPath(); got != tc.wantPath {
			t.Errorf("%v.APIPath() = %q, want %q", tc.target, got, tc.wantPath)
		}
		if got := tc.target.RunnerURL(tc.server); got != tc.wantURL {
			t.Errorf("%v.RunnerURL(%s) = %q, want %q", tc.target, tc.server.Redacted(), got, tc.wantURL)
		}
		if got := tc.target.Name(); got != tc.wantName {
			t.Errorf("Name() = %q, want %q", got, tc.wantName)
		}
		if got := tc.target.String(); got != tc.wantShown {
			t.Errorf("String() = %q, want %q", got, tc.wantShown)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
