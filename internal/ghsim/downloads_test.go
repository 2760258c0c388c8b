package ghsim

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestListDownloads(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	for _, scope := range []string{"/repos/octo-org/app", "/orgs/octo-org", "/enterprises/octo-ent"} {
		status, _, body := roundTrip(t, s, "GET", scope+"/actions/runners/downloads", "Bearer tok-admin", "")
		var got []map[string]string
		if err := json.Unmarshal(body, &got); status != 200 || err != nil || len(got) != 7 {
			t.Fatalf("%s: %d, %d downloads, %v; want 200 and seven", scope, status, len(got), err)
		}
		want := map[string]string{
			"os": "linux", "architecture": "arm64", "filename": "actions-runner-linux-arm64-2.321.0.tar.gz",
			"download_url":    "https://github.com/actions/runner/releases/download/v2.321.0/actions-runner-linux-arm64-2.321.0.tar.gz",
			"sha256_checksum": got[4]["sha256_checksum"],
		}
		if diff := cmp.Diff(want, got[4]); diff != "" || len(want["sha256_checksum"]) != 64 {
			t.Errorf("%s: linux-arm64 (-want +got):\n%s", scope, diff)
		}
	}

	s.SetDownloads([]Download{{OS: "linux", Architecture: "x64", Filename: "f.tar.gz", DownloadURL: "https://ghes.example/f.tar.gz"}})
	_, _, body := roundTrip(t, s, "GET", "/orgs/octo-org/actions/runners/downloads", "Bearer tok-admin", "")
	if got, want := string(body), `[{"architecture":"x64","download_url":"https://ghes.example/f.tar.gz","filename":"f.tar.gz","os":"linux"}]`+"\n"; got != want {
		t.Errorf("without a checksum: %s, want %s (no sha256_checksum field)", got, want)
	}

	for _, tc := range []struct {
		method, path, auth string
		status             int
	}{
		{"GET", "/orgs/octo-org/actions/runners/downloads", "", 401},
		{"GET", "/orgs/octo-org/actions/runners/downloads", "Bearer tok-fine", 403},
		{"GET", "/orgs/nobody/actions/runners/downloads", "Bearer tok-admin", 404},
		{"POST", "/orgs/octo-org/actions/runners/downloads", "Bearer tok-admin", 404},
	} {
		if status, _, _ := roundTrip(t, s, tc.method, tc.path, tc.auth, ""); status != tc.status {
			t.Errorf("%s %s as %q: %d, want %d", tc.method, tc.path, tc.auth, status, tc.status)
		}
	}
}
