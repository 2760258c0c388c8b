package downloads

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubtest"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

const sum = "9e2c1b3f5a7d9e2c1b3f5a7d9e2c1b3f5a7d9e2c1b3f5a7d9e2c1b3f5a7d9e2c"

// item is one item of GitHub's list, as it sends it.
func item(os, arch, file string) map[string]string {
	return map[string]string{
		"os": os, "architecture": arch, "filename": file, "sha256_checksum": sum,
		"download_url": "https://github.com/actions/runner/releases/download/v2.321.0/" + file,
	}
}

// github7 is GitHub's list: seven platforms.
func github7() []map[string]string {
	var l []map[string]string
	for _, p := range config.Platforms {
		os, arch, _ := strings.Cut(p, "-")
		ext := ".tar.gz"
		if os == "win" {
			ext = ".zip"
		}
		l = append(l, item(os, arch, "actions-runner-"+p+"-2.321.0"+ext))
	}
	return l
}

func serve(t *testing.T, path string, list any) func(target.Target, config.Platform) (*Download, error) {
	t.Helper()
	client, mux := githubtest.Setup(t)
	mux.HandleFunc(path+"/actions/runners/downloads", func(w http.ResponseWriter, r *http.Request) {
		githubtest.TestMethod(t, r, http.MethodGet)
		githubtest.TestAuth(t, r, githubtest.Token)
		_ = json.NewEncoder(w).Encode(list)
	})
	return func(tg target.Target, p config.Platform) (*Download, error) {
		return Find(context.Background(), client, tg, p)
	}
}

func TestFindEveryPlatformAndScope(t *testing.T) {
	t.Parallel()
	for _, sc := range []struct {
		t    target.Target
		path string
	}{
		{target.Target{Scope: target.Repository, Owner: "octo-org", Repo: "app"}, "/repos/octo-org/app"},
		{target.Target{Scope: target.Organization, Owner: "octo-org"}, "/orgs/octo-org"},
		{target.Target{Scope: target.Enterprise, Owner: "octo-ent"}, "/enterprises/octo-ent"},
	} {
		for _, name := range config.Platforms {
			t.Run(sc.t.String()+" "+name, func(t *testing.T) {
				t.Parallel()
				p, err := config.ParsePlatform(name)
				if err != nil {
					t.Fatal(err)
				}
				got, err := serve(t, sc.path, github7())(sc.t, p)
				if err != nil {
					t.Fatal(err)
				}
				ext := ".tar.gz"
				if p.OS == "win" {
					ext = ".zip"
				}
				file := "actions-runner-" + name + "-2.321.0" + ext
				want := &Download{URL: untrusted.URL("https://github.com/actions/runner/releases/download/v2.321.0/" + file), Filename: untrusted.Of(file), SHA256: sum, Version: "2.321.0"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestFindWhatTheServerSays(t *testing.T) {
	t.Parallel()
	org := target.Target{Scope: target.Organization, Owner: "octo-org"}
	linux := config.Platform{OS: "linux", Arch: "x64"}
	noSum := item("linux", "x64", "actions-runner-linux-x64-2.311.0.tar.gz")
	delete(noSum, "sha256_checksum")
	upper := item("Linux", "X64", "actions-runner-linux-x64-2.311.0.tar.gz")
	upper["sha256_checksum"] = strings.ToUpper(sum)
	oddName := item("linux", "x64", "runner.tgz")
	cases := []struct {
		name    string
		list    any
		want    *Download
		wantErr string
	}{
		{name: "no checksum (older GHES)", list: []any{noSum},
			want: &Download{URL: untrusted.URL(noSum["download_url"]), Filename: untrusted.Of(noSum["filename"]), Version: "2.311.0"}},
		{name: "any letter case", list: []any{upper},
			want: &Download{URL: untrusted.URL(upper["download_url"]), Filename: untrusted.Of(upper["filename"]), SHA256: sum, Version: "2.311.0"}},
		{name: "a file name without a version", list: []any{oddName},
			want: &Download{URL: untrusted.URL(oddName["download_url"]), Filename: untrusted.Of("runner.tgz"), SHA256: sum}},
		{name: "not offered: the error lists what is", list: []any{item("win", "x64", "a.zip"), item("osx", "arm64", "b.tar.gz")},
			wantErr: "no runner download for this platform: organization octo-org offers no linux-x64 runner; it offers osx-arm64, win-x64: set runner-platform to one of them"},
		{name: "an empty list", list: []any{}, wantErr: "no runner download for this platform: organization octo-org lists no runner downloads at all"},
		{name: "plain http", list: []any{map[string]string{"os": "linux", "architecture": "x64", "download_url": "http://mirror.example/r.tar.gz"}},
			wantErr: `has no usable https URL (http://mirror.example/r.tar.gz)`},
		{name: "a URL with credentials", list: []any{map[string]string{"os": "linux", "architecture": "x64", "download_url": "https://u:p@mirror.example/r.tar.gz"}},
			wantErr: "has no usable https URL (https://mirror.example/r.tar.gz)"},
		{name: "a URL with a line separator", list: []any{map[string]string{"os": "linux", "architecture": "x64", "download_url": "https://mirror.example/r\u2028.tar.gz"}},
			wantErr: "has no usable https URL (https://mirror.example/r%E2%80%A8.tar.gz)"},
		{name: "a fragment is dropped", list: []any{map[string]string{"os": "linux", "architecture": "x64", "download_url": "https://mirror.example/r.tar.gz?sig=1#[Sign in again](https://evil.example)"}},
			want: &Download{URL: untrusted.URL("https://mirror.example/r.tar.gz?sig=1")}},
		{name: "no URL", list: []any{map[string]string{"os": "linux", "architecture": "x64"}}, wantErr: "has no usable https URL"},
		{name: "a checksum that is not SHA-256", list: []any{map[string]string{"os": "linux", "architecture": "x64", "download_url": "https://github.com/r.tar.gz", "sha256_checksum": "abc"}},
			wantErr: `a checksum that is not a SHA-256 ("abc")`},
		{name: "hostile platform names stay data", list: []any{item("linux\n::warning::x", "x64", "a")},
			wantErr: "it offers linux ::warning::x-x64"},
		{name: "legacy commands stay data", list: []any{item("##[error]x", "x64", "a")},
			wantErr: "it offers ## [error]x-x64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := serve(t, "/orgs/octo-org", tc.list)(org, linux)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
