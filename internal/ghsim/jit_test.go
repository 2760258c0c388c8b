package ghsim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// send makes one request as the admin credential, with an optional JSON
// body, and decodes the answer.
func send(t *testing.T, s *Server, method, path, body string) (int, map[string]any, http.Header) {
	t.Helper()
	status, h, b := roundTrip(t, s, method, path, "Bearer tok-admin", body)
	var v map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
		}
	}
	return status, v, h
}

const goodJIT = `{"name":"r1","runner_group_id":1,"labels":["self-hosted","linux"],"work_folder":"_work"}`

func TestGenerateJITConfigValidates(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	s.SetRunnerGroups("orgs/octo-org", RunnerGroup{ID: 1, Name: "Default", Default: true}, RunnerGroup{ID: 7, Name: "gpu"})
	long := strings.Repeat("x", 257)
	many := `"l0"` + strings.Repeat(`,"l"`, 100)
	cases := []struct {
		name, path, body string
		status           int
		message          string // the body's message, or a detail's message
	}{
		{"repository", "/repos/octo-org/app", goodJIT, 201, ""},
		{"organization, other group", "/orgs/octo-org", `{"name":"r1","runner_group_id":7,"labels":["gpu"]}`, 201, ""},
		{"enterprise", "/enterprises/octo-ent", goodJIT, 201, ""},
		{"not JSON", "/repos/octo-org/app", `name=r1`, 400, "Problems parsing JSON"},
		{"no name", "/repos/octo-org/app", `{"runner_group_id":1,"labels":["a"]}`, 422, "Invalid request.\n\n\"name\" wasn't supplied."},
		{"no group", "/repos/octo-org/app", `{"name":"r","labels":["a"]}`, 422, "Invalid request.\n\n\"runner_group_id\" wasn't supplied."},
		{"no labels", "/repos/octo-org/app", `{"name":"r","runner_group_id":1}`, 422, "Invalid request.\n\n\"labels\" wasn't supplied."},
		{"group not an integer", "/repos/octo-org/app", `{"name":"r","runner_group_id":"1","labels":["a"]}`, 422, "For 'properties/runner_group_id', \"1\" is not an integer."},
		{"no label", "/repos/octo-org/app", `{"name":"r","runner_group_id":1,"labels":[]}`, 422, "[] has fewer items than 1."},
		{"101 labels", "/repos/octo-org/app", `{"name":"r","runner_group_id":1,"labels":[` + many + `]}`, 422, "more items than 100."},
		{"label too long", "/repos/octo-org/app", `{"name":"r","runner_group_id":1,"labels":["` + long + `"]}`, 422, "Label name is too long (maximum is 256 characters)"},
		{"name too long", "/repos/octo-org/app", `{"name":"` + strings.Repeat("n", 65) + `","runner_group_id":1,"labels":["a"]}`, 422, "Name is too long (maximum is 64 characters)"},
		{"repository, not the default group", "/repos/octo-org/app", `{"name":"r","runner_group_id":7,"labels":["a"]}`, 422, "Repository-level runners can only be added to the default runner group"},
		{"organization, unknown group", "/orgs/octo-org", `{"name":"r2","runner_group_id":99,"labels":["a"]}`, 404, "Not Found"},
	}
	for _, tc := range cases {
		status, body, _ := send(t, s, "POST", tc.path+"/actions/runners/generate-jitconfig", tc.body)
		if status != tc.status {
			t.Errorf("%s: status %d, want %d (%v)", tc.name, status, tc.status, body["message"])
			continue
		}
		if tc.status == 201 {
			cfg, _ := body["encoded_jit_config"].(string)
			if _, err := base64.StdEncoding.DecodeString(cfg); err != nil || len(cfg) < 1000 || strings.ContainsAny(cfg, "\r\n") {
				t.Errorf("%s: encoded_jit_config is not long one-line base64", tc.name)
			}
			run, _ := body["runner"].(map[string]any)
			if run["status"] != "offline" || run["busy"] != false || run["id"] == nil {
				t.Errorf("%s: runner = %v", tc.name, run)
			}
			continue
		}
		got, _ := body["message"].(string)
		if errs, ok := body["errors"].([]any); ok && got == "Validation Failed" {
			got = errs[0].(map[string]any)["message"].(string)
		}
		if !strings.Contains(got, tc.message) {
			t.Errorf("%s: message %q, want %q", tc.name, got, tc.message)
		}
	}
	if n := len(s.JITConfigs()); n != 3 {
		t.Errorf("minted %d configs, want 3", n)
	}
}

func TestJITNameConflictAndRemoval(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	path := "/repos/octo-org/app/actions/runners"
	if status, _, _ := send(t, s, "POST", path+"/generate-jitconfig", goodJIT); status != 201 {
		t.Fatalf("first: %d", status)
	}
	// Names are unique per target, ignoring case, as GitHub has them.
	status, body, _ := send(t, s, "POST", path+"/generate-jitconfig", strings.Replace(goodJIT, `"r1"`, `"R1"`, 1))
	if status != 409 || body["message"] != "Already exists - A runner with the name R1 already exists." {
		t.Fatalf("duplicate: %d %v", status, body["message"])
	}
	if status, _, _ := send(t, s, "POST", "/orgs/octo-org/actions/runners/generate-jitconfig", goodJIT); status != 201 {
		t.Errorf("the same name in another target: %d", status)
	}

	status, body, _ = send(t, s, "GET", path+"?name=r1", "")
	runners, _ := body["runners"].([]any)
	if status != 200 || body["total_count"] != float64(1) || len(runners) != 1 {
		t.Fatalf("list by name: %d %v", status, body)
	}
	id := runners[0].(map[string]any)["id"]
	if status, body, _ := send(t, s, "GET", path+"?name=other", ""); status != 200 || body["total_count"] != float64(0) {
		t.Errorf("list by another name: %d %v", status, body)
	}
	if status, _, _ := send(t, s, "DELETE", fmt.Sprintf("%s/%v", path, id), ""); status != 204 {
		t.Errorf("delete: %d", status)
	}
	if status, _, _ := send(t, s, "DELETE", fmt.Sprintf("%s/%v", path, id), ""); status != 404 {
		t.Errorf("delete again: %d", status)
	}
	if got := s.Runners("repos/octo-org/app"); len(got) != 0 {
		t.Errorf("runners left: %v", got)
	}
	busy := s.AddRunner("repos/octo-org/app", Runner{Name: "busy", Status: "online", Busy: true})
	if status, body, _ := send(t, s, "DELETE", fmt.Sprintf("%s/%d", path, busy.ID), ""); status != 422 || !strings.Contains(body["message"].(string), "still running a job") {
		t.Errorf("delete a busy runner: %d %v", status, body)
	}
	for _, m := range []string{"PUT", "PATCH"} {
		if status, _, _ := send(t, s, m, fmt.Sprintf("%s/%d", path, busy.ID), ""); status != 404 {
			t.Errorf("%s a runner: %d, want 404 as GitHub answers", m, status)
		}
	}
}

func TestRunnerGroupsPagination(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	groups := []RunnerGroup{{ID: 1, Name: "Default", Default: true}}
	for i := 2; i <= 250; i++ {
		groups = append(groups, RunnerGroup{ID: int64(i), Name: fmt.Sprintf("g%d", i)})
	}
	s.SetRunnerGroups("enterprises/octo-ent", groups...)
	path := "/enterprises/octo-ent/actions/runner-groups"
	base := "https://" + strings.TrimPrefix(s.URL(), "https://") + path

	cases := []struct {
		query     string
		wantFirst float64
		wantN     int
		wantLink  string
	}{
		{"?per_page=100", 1, 100, `<` + base + `?page=2&per_page=100>; rel="next", <` + base + `?page=3&per_page=100>; rel="last"`},
		{"?per_page=100&page=2", 101, 100, `<` + base + `?page=1&per_page=100>; rel="prev", <` + base + `?page=3&per_page=100>; rel="next", <` + base + `?page=3&per_page=100>; rel="last", <` + base + `?page=1&per_page=100>; rel="first"`},
		{"?per_page=100&page=3", 201, 50, `<` + base + `?page=2&per_page=100>; rel="prev", <` + base + `?page=1&per_page=100>; rel="first"`},
		{"", 1, 30, `<` + base + `?page=2&per_page=30>; rel="next", <` + base + `?page=9&per_page=30>; rel="last"`},
		{"?per_page=500", 1, 100, `<` + base + `?page=2&per_page=100>; rel="next", <` + base + `?page=3&per_page=100>; rel="last"`},
	}
	for _, tc := range cases {
		status, body, h := send(t, s, "GET", path+tc.query, "")
		list, _ := body["runner_groups"].([]any)
		if status != 200 || body["total_count"] != float64(250) || len(list) != tc.wantN {
			t.Errorf("%q: status %d, total %v, %d groups", tc.query, status, body["total_count"], len(list))
			continue
		}
		if first := list[0].(map[string]any)["id"]; first != tc.wantFirst {
			t.Errorf("%q: first id %v, want %v", tc.query, first, tc.wantFirst)
		}
		if diff := cmp.Diff(tc.wantLink, h.Get("Link")); diff != "" {
			t.Errorf("%q: Link (-want +got):\n%s", tc.query, diff)
		}
	}
	// An organization without SetRunnerGroups has GitHub's default group;
	// a repository has no runner-groups endpoint.
	_, body, h := send(t, s, "GET", "/orgs/octo-org/actions/runner-groups", "")
	want := map[string]any{"id": float64(1), "name": "Default", "default": true, "inherited": false, "visibility": "all"}
	got := body["runner_groups"].([]any)[0].(map[string]any)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("default group %s = %v, want %v", k, got[k], v)
		}
	}
	if h.Get("Link") != "" {
		t.Errorf("one page, yet Link: %s", h.Get("Link"))
	}
	if status, _, _ := send(t, s, "GET", "/repos/octo-org/app/actions/runner-groups", ""); status != 404 {
		t.Errorf("repository runner groups: %d, want 404", status)
	}
}

func TestJITAuthorization(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	cases := []struct {
		method, path, auth string
		status             int
	}{
		{"POST", "/repos/octo-org/app/actions/runners/generate-jitconfig", "", 401},
		{"POST", "/repos/octo-org/app/actions/runners/generate-jitconfig", "Bearer tok-fine", 403},
		{"GET", "/orgs/octo-org/actions/runner-groups", "Bearer tok-install", 403},
		{"GET", "/orgs/nobody/actions/runners?name=x", "Bearer tok-admin", 404},
		{"DELETE", "/enterprises/octo-ent/actions/runners/1", "Bearer tok-install", 403},
		{"GET", "/repos/octo-org/app/actions/runners/generate-jitconfig", "Bearer tok-admin", 404},
	}
	for _, tc := range cases {
		got, _ := call(t, s, tc.method, tc.path, tc.auth)
		if got.Status != tc.status {
			t.Errorf("%s %s as %q: %d, want %d", tc.method, tc.path, tc.auth, got.Status, tc.status)
		}
	}
	if len(s.Runners("repos/octo-org/app")) != 0 {
		t.Error("a refused request registered a runner")
	}
}

func TestJITFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault      JITFault
		wantStatus int // 0: no answer at all
		registered bool
	}{
		{LoseResponse, 0, true},
		{HangAfterCreate, 0, true},
		{ServerErrorAfterCreate, 502, true},
		{ServerErrorBeforeCreate, 502, false},
		{GarbageAfterCreate, 201, true},
		{WrongTypeAfterCreate, 201, true},
	}
	for _, tc := range cases {
		s := newSim(t)
		s.FailJIT(tc.fault)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/repos/octo-org/app/actions/runners/generate-jitconfig", strings.NewReader(goodJIT))
		req.Header.Set("Authorization", "Bearer tok-admin")
		resp, err := s.Client().Do(req)
		status := 0
		if err == nil {
			status = resp.StatusCode
			resp.Body.Close()
		}
		cancel()
		if status != tc.wantStatus {
			t.Errorf("fault %d: status %d (%v), want %d", tc.fault, status, err, tc.wantStatus)
		}
		if tc.fault == HangAfterCreate && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("hang: error %v, want the client's deadline", err)
		}
		if got := len(s.Runners("repos/octo-org/app")); (got == 1) != tc.registered {
			t.Errorf("fault %d: %d runners registered, want registered=%v", tc.fault, got, tc.registered)
		}
		// The fault is used up: the next request is answered (409 when the
		// faulty one registered the name).
		want := 201
		if tc.registered {
			want = 409
		}
		if status, _, _ := send(t, s, "POST", "/repos/octo-org/app/actions/runners/generate-jitconfig", goodJIT); status != want {
			t.Errorf("fault %d: next request %d, want %d", tc.fault, status, want)
		}
	}
}
