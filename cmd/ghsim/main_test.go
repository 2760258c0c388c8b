package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const simToken = "sim-test-credential-0123456789"

// readyWriter is run's stdout: it signals once run has printed, which it
// does after writing every file, and keeps what was printed.
type readyWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
	once  sync.Once
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.once.Do(func() { close(w.ready) })
	return w.buf.Write(p)
}

func (w *readyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// sim is one run of the command, serving.
type sim struct {
	dir    string // where its files are
	url    string // from -url-file
	client *http.Client
	out    *readyWriter
}

// start runs the command with args and, unless args name them, -ca-file,
// -url-file and -issued-file in a new directory; it returns once the
// simulator serves, and stops it when the test ends, checking that what it
// printed holds no credential.
func start(t *testing.T, args ...string) *sim {
	t.Helper()
	dir := t.TempDir()
	args = append([]string{
		"-ca-file", filepath.Join(dir, "ca.pem"),
		"-url-file", filepath.Join(dir, "url"),
		"-issued-file", filepath.Join(dir, "issued"),
	}, args...)
	ctx, cancel := context.WithCancel(context.Background())
	out := &readyWriter{ready: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, env(simToken), out) }()
	s := &sim{dir: dir, out: out}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		s.checkNoSecretPrinted(t)
	})
	select {
	case <-out.ready:
	case err := <-done:
		t.Fatalf("run ended before serving: %v", err)
	case <-time.After(time.Minute): // fail-safe, not a measure
		t.Fatal("the simulator did not start")
	}
	url, err := os.ReadFile(filepath.Join(dir, "url"))
	if err != nil {
		t.Fatal(err)
	}
	s.url = strings.TrimSpace(string(url))
	ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		t.Fatal("-ca-file holds no PEM certificate")
	}
	s.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return s
}

func env(token string) func(string) string {
	return func(k string) string {
		if k == "SIM_TOKEN" {
			return token
		}
		return ""
	}
}

// checkNoSecretPrinted: stdout holds neither the credential, nor anything
// minted (as -issued-file recorded it), nor a private key.
func (s *sim) checkNoSecretPrinted(t *testing.T) {
	t.Helper()
	printed := s.out.String()
	secrets := []string{simToken}
	issued, _ := os.ReadFile(filepath.Join(s.dir, "issued"))
	for _, line := range strings.Split(strings.TrimSpace(string(issued)), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			secrets = append(secrets, f[2])
		}
	}
	for _, secret := range secrets {
		if strings.Contains(printed, secret) {
			t.Error("the command printed a credential")
		}
	}
	if strings.Contains(printed, "PRIVATE KEY") {
		t.Error("the command printed a private key")
	}
}

// call makes one request as auth ("" for the simulator's credential) and
// returns the status, headers and body; err is a failed round trip.
func (s *sim) call(t *testing.T, method, path, auth, body string) (int, http.Header, []byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // fail-safe
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth == "" {
		auth = "Bearer " + simToken
	}
	req.Header.Set("Authorization", auth)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// mustCall is call for a request that must succeed with want, decoding
// the JSON answer into v (if not nil).
func (s *sim) mustCall(t *testing.T, method, path, auth, body string, want int, v any) {
	t.Helper()
	status, _, b, err := s.call(t, method, path, auth, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		t.Fatalf("%s %s: status %d, want %d", method, path, status, want)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

func (s *sim) issuedLines(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, "issued"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestServesWithTheFilesItWrote(t *testing.T) {
	t.Parallel()
	s := start(t, "-listen", "127.0.0.1:0", "-host", "127.0.0.1")
	if !strings.HasPrefix(s.url, "https://127.0.0.1:") || !strings.HasSuffix(s.url, "/api/v3") {
		t.Fatalf("url = %q", s.url)
	}
	// The client trusts only the CA from -ca-file, so this verifies it.
	var tok struct{ Token, ExpiresAt string }
	s.mustCall(t, "POST", "/orgs/octo-org/actions/runners/remove-token", "", "", 201, &tok)
	if tok.Token != "ghsim-remove-1-orgs/octo-org" {
		t.Error("the remove token is not the deterministic ghsim-remove-1-orgs/octo-org")
	}
	if status, _, _, _ := s.call(t, "POST", "/orgs/octo-org/actions/runners/remove-token", "Bearer not-it", ""); status != 401 {
		t.Errorf("another credential: status %d, want 401", status)
	}
	if got := s.issuedLines(t); len(got) != 1 || got[0] != "remove orgs/octo-org "+tok.Token {
		t.Errorf("issued file has %d lines, want one: remove orgs/octo-org TOKEN", len(got))
	}
	if fi, err := os.Stat(filepath.Join(s.dir, "issued")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("issued file: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
	if !strings.Contains(s.out.String(), "GitHub API simulator at "+s.url+"\n") {
		t.Errorf("stdout does not give the URL:\n%s", s.out.String())
	}
}

func TestGitHubEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	githubEnv := filepath.Join(dir, "github_env")
	if err := os.WriteFile(githubEnv, []byte("EARLIER=kept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "app.pem")
	cases := []struct {
		name string
		args []string
		want func(s *sim) string
	}{
		{"API URL and CA", []string{"-github-env", filepath.Join(dir, "plain")}, func(s *sim) string {
			return "GHSIM_API_URL=" + s.url + "\nGHSIM_CA_FILE=" + filepath.Join(s.dir, "ca.pem") + "\n"
		}},
		{"appended, with the App", []string{"-github-env", githubEnv, "-app-key-file", key}, func(s *sim) string {
			return "EARLIER=kept\nGHSIM_API_URL=" + s.url + "\nGHSIM_CA_FILE=" + filepath.Join(s.dir, "ca.pem") +
				"\nGHSIM_APP_ID=424242\nGHSIM_APP_KEY_FILE=" + key + "\n"
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, c.args...)
			got, err := os.ReadFile(c.args[1])
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want(s), string(got)); diff != "" {
				t.Errorf("-github-env file (-want +got):\n%s", diff)
			}
		})
	}
}

type runner struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	OS     string `json:"os"`
	Status string `json:"status"`
	Busy   bool   `json:"busy"`
	Group  int64  `json:"runner_group_id"`
	Labels []struct {
		Name string `json:"name"`
	} `json:"labels"`
}

type group struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Default   bool   `json:"default"`
	Inherited bool   `json:"inherited"`
}

func TestPreRegistered(t *testing.T) {
	t.Parallel()
	type want struct {
		path    string // a GET that lists runners or runner groups
		runners []runner
		groups  []group
	}
	labels := func(names ...string) []struct {
		Name string `json:"name"`
	} {
		out := make([]struct {
			Name string `json:"name"`
		}, len(names))
		for i, n := range names {
			out[i].Name = n
		}
		return out
	}
	dflt := group{ID: 1, Name: "Default", Default: true}
	cases := []struct {
		name string
		args []string
		want []want
	}{
		{"an offline runner, by default", []string{"-runner", "organization=my-org,name=stale-vm-1"}, []want{
			{path: "/orgs/my-org/actions/runners", runners: []runner{{41, "stale-vm-1", "Linux", "offline", false, 1, labels("self-hosted")}}},
			{path: "/orgs/my-org/actions/runner-groups", groups: []group{dflt}},
		}},
		{"runners in a repository, in flag order", []string{
			"-runner", "repository=My-Org/My-Repo,name=build-1,busy,label=self-hosted,label=gpu,os=Windows",
			"-runner", "repository=my-org/my-repo,name=build-2,status=online",
		}, []want{
			{path: "/repos/my-org/my-repo/actions/runners", runners: []runner{
				{41, "build-1", "Windows", "online", true, 1, labels("self-hosted", "gpu")},
				{42, "build-2", "Linux", "online", false, 1, labels("self-hosted")},
			}},
		}},
		{"groups, by name and by id", []string{
			"-runner-group", "organization=my-org,name=gpu-runners",
			"-runner-group", "organization=my-org,name=arm,id=9",
			"-runner-group", "organization=my-org,name=big",
			"-runner-group", "enterprise=my-ent,name=shared,inherited",
			"-runner", "organization=my-org,name=g1,group=GPU-runners",
			"-runner", "organization=my-org,name=a1,group=9",
			"-runner", "enterprise=my-ent,name=e1,group=shared",
		}, []want{
			{path: "/orgs/my-org/actions/runner-groups", groups: []group{dflt, {2, "gpu-runners", false, false}, {3, "big", false, false}, {9, "arm", false, false}}},
			{path: "/enterprises/my-ent/actions/runner-groups", groups: []group{dflt, {2, "shared", false, true}}},
			{path: "/orgs/my-org/actions/runners", runners: []runner{
				{41, "g1", "Linux", "offline", false, 2, labels("self-hosted")},
				{42, "a1", "Linux", "offline", false, 9, labels("self-hosted")},
			}},
			{path: "/enterprises/my-ent/actions/runners", runners: []runner{{43, "e1", "Linux", "offline", false, 2, labels("self-hosted")}}},
		}},
		{"targets without runners", []string{"-repository", "a/b", "-organization", "c", "-enterprise", "d"}, []want{
			{path: "/repos/a/b/actions/runners", runners: []runner{}},
			{path: "/orgs/c/actions/runners", runners: []runner{}},
			{path: "/enterprises/d/actions/runners", runners: []runner{}},
			{path: "/repos/octo-org/app/actions/runners", runners: []runner{}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, c.args...)
			for _, w := range c.want {
				var got struct {
					Runners []runner `json:"runners"`
					Groups  []group  `json:"runner_groups"`
				}
				s.mustCall(t, "GET", w.path, "", "", 200, &got)
				if w.groups != nil {
					if diff := cmp.Diff(w.groups, got.Groups); diff != "" {
						t.Errorf("GET %s (-want +got):\n%s", w.path, diff)
					}
				} else if diff := cmp.Diff(w.runners, got.Runners); diff != "" {
					t.Errorf("GET %s (-want +got):\n%s", w.path, diff)
				}
			}
		})
	}
}

// A pre-registered busy runner cannot be deleted; an idle one can, and is
// gone from the simulator afterwards.
func TestPreRegisteredRunnersCanBeDeleted(t *testing.T) {
	t.Parallel()
	s := start(t, "-runner", "organization=my-org,name=busy-1,busy", "-runner", "organization=my-org,name=idle-1,status=online")
	s.mustCall(t, "DELETE", "/orgs/my-org/actions/runners/41", "", "", 422, nil)
	s.mustCall(t, "DELETE", "/orgs/my-org/actions/runners/42", "", "", 204, nil)
	var got struct {
		Runners []runner `json:"runners"`
	}
	s.mustCall(t, "GET", "/orgs/my-org/actions/runners", "", "", 200, &got)
	if len(got.Runners) != 1 || got.Runners[0].Name != "busy-1" {
		t.Errorf("left registered: %+v, want busy-1 only", got.Runners)
	}
}

// appJWT signs a JWT as the action does (RS256, iat a minute back).
func appJWT(t *testing.T, key *rsa.PrivateKey, iss string) string {
	t.Helper()
	enc := base64.RawURLEncoding
	now := time.Now().Unix()
	signed := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." +
		enc.EncodeToString(fmt.Appendf(nil, `{"iat":%d,"exp":%d,"iss":%q}`, now-60, now+540, iss))
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + enc.EncodeToString(sig)
}

func readKey(t *testing.T, path string) *rsa.PrivateKey {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatal("the key file holds no PEM")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestAppInstallations(t *testing.T) {
	t.Parallel()
	keyFile := filepath.Join(t.TempDir(), "app.pem")
	// A key file left from before is replaced, and made private.
	if err := os.WriteFile(keyFile, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := start(t, "-app-key-file", keyFile,
		"-app-installation", "organization=my-org",
		"-app-installation", "repository=someone/one", "-app-installation", "repository=someone/two",
		"-repository", "someone/three")
	key := readKey(t, keyFile)

	cases := []struct {
		name, lookup string
		iss          string
		wantStatus   int
		wantID       int64
		wantRepos    []string // the installation's repositories, as a token for all of them lists them
	}{
		{"organization, by App ID", "/orgs/my-org/installation", "424242", 200, 7000001, nil},
		{"organization, by Client ID", "/orgs/my-org/installation", "Iv23liSimulatorApp01", 200, 7000001, nil},
		{"a selected repository", "/repos/someone/two/installation", "424242", 200, 7000002, nil},
		{"a repository not selected", "/repos/someone/three/installation", "424242", 404, 0, nil},
		{"not installed", "/orgs/octo-org/installation", "424242", 404, 0, nil},
		{"not the App", "/orgs/my-org/installation", "999", 401, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var inst struct {
				ID int64 `json:"id"`
			}
			status, _, b, err := s.call(t, "GET", c.lookup, "Bearer "+appJWT(t, key, c.iss), "")
			if err != nil || status != c.wantStatus {
				t.Fatalf("status %d, %v; want %d", status, err, c.wantStatus)
			}
			if status == 200 {
				if err := json.Unmarshal(b, &inst); err != nil || inst.ID != c.wantID {
					t.Errorf("installation %d (%v), want %d", inst.ID, err, c.wantID)
				}
			}
		})
	}

	// A token narrowed to the organization's runners mints, and is
	// deterministic.
	var tok struct {
		Token string `json:"token"`
	}
	s.mustCall(t, "POST", "/app/installations/7000001/access_tokens", "Bearer "+appJWT(t, key, "424242"),
		`{"permissions":{"organization_self_hosted_runners":"write"}}`, 201, &tok)
	if tok.Token != "ghs_ghsim-installation-1-7000001" {
		t.Error("the installation token is not the deterministic ghs_ghsim-installation-1-7000001")
	}
	s.mustCall(t, "POST", "/orgs/my-org/actions/runners/registration-token", "Bearer "+tok.Token, "", 201, nil)
	s.mustCall(t, "DELETE", "/installation/token", "Bearer "+tok.Token, "", 204, nil)
	s.mustCall(t, "POST", "/orgs/my-org/actions/runners/registration-token", "Bearer "+tok.Token, "", 401, nil)

	// The repository installation covers the two repositories selected.
	s.mustCall(t, "POST", "/app/installations/7000002/access_tokens", "Bearer "+appJWT(t, key, "424242"), `{"repositories":["one","two"]}`, 201, nil)
	s.mustCall(t, "POST", "/app/installations/7000002/access_tokens", "Bearer "+appJWT(t, key, "424242"), `{"repositories":["three"]}`, 422, nil)

	if got := s.issuedLines(t); len(got) != 3 || !strings.HasPrefix(got[0], "installation installations/7000001 ") {
		t.Errorf("issued file has %d lines, want installation, registration, installation", len(got))
	}
}

// mintAll makes the calls a workflow's steps would, and returns every
// credential minted, in order.
func mintAll(t *testing.T, extra ...string) []string {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "app.pem")
	s := start(t, append([]string{"-app-key-file", keyFile, "-app-installation", "organization=my-org", "-runner", "organization=my-org,name=old"}, extra...)...)
	key := readKey(t, keyFile)
	var got []string
	for _, path := range []string{
		"/orgs/my-org/actions/runners/registration-token",
		"/repos/octo-org/app/actions/runners/remove-token",
		"/enterprises/octo-ent/actions/runners/registration-token",
		"/orgs/my-org/actions/runners/registration-token",
	} {
		var tok struct{ Token string }
		s.mustCall(t, "POST", path, "", "", 201, &tok)
		got = append(got, tok.Token)
	}
	var jit struct {
		Config string `json:"encoded_jit_config"`
		Runner runner `json:"runner"`
	}
	s.mustCall(t, "POST", "/orgs/my-org/actions/runners/generate-jitconfig", "", `{"name":"jit-1","runner_group_id":1,"labels":["self-hosted"]}`, 201, &jit)
	got = append(got, jit.Config, fmt.Sprint(jit.Runner.ID))
	var tok struct{ Token string }
	s.mustCall(t, "POST", "/app/installations/7000001/access_tokens", "Bearer "+appJWT(t, key, "424242"), "", 201, &tok)
	got = append(got, tok.Token)

	// -issued-file has every one of them, in order.
	lines := s.issuedLines(t)
	if len(lines) != 6 {
		t.Fatalf("issued file has %d lines, want 6", len(lines))
	}
	for i, want := range []string{"registration orgs/my-org", "remove repos/octo-org/app", "registration enterprises/octo-ent", "registration orgs/my-org", "jit orgs/my-org", "installation installations/7000001"} {
		if !strings.HasPrefix(lines[i], want+" ") {
			t.Errorf("issued line %d is not %q and a credential", i+1, want)
		}
	}
	return got
}

func TestDeterministicTokensAcrossRuns(t *testing.T) {
	t.Parallel()
	first, second := mintAll(t), mintAll(t)
	for i := range first {
		if first[i] != second[i] {
			t.Errorf("credential %d differs between two runs", i+1)
		}
	}
	documented := []string{"ghsim-registration-1-orgs/my-org", "ghsim-remove-1-repos/octo-org/app", "ghsim-registration-1-enterprises/octo-ent", "ghsim-registration-2-orgs/my-org"}
	for i, want := range documented {
		if first[i] != want {
			t.Errorf("credential %d is not %s", i+1, want)
		}
	}
	if first[5] != "42" {
		t.Errorf("the JIT runner's id is %s, want 42 (after the pre-registered 41)", first[5])
	}
	if first[6] != "ghs_ghsim-installation-1-7000001" {
		t.Error("the installation token is not ghs_ghsim-installation-1-7000001")
	}

	random1, random2 := mintAll(t, "-deterministic=false"), mintAll(t, "-deterministic=false")
	for i := range random1 {
		if i != 5 && (random1[i] == random2[i] || random1[i] == first[i]) {
			t.Errorf("with -deterministic=false, credential %d is the same twice", i+1)
		}
	}
}

func TestFaultsInOrder(t *testing.T) {
	t.Parallel()
	s := start(t, "-fault", "502,none,rate-limit:1,primary-rate-limit:30", "-fault", "not-json,reset,429,huge:100000",
		"-jit-fault", "502-before,lost")
	const mint = "/orgs/octo-org/actions/runners/registration-token"
	type answer struct {
		Status    int
		Header    string // the header the fault is about, "Name: value"
		BodyStart string
		Failed    bool // no answer at all
	}
	get := func(h http.Header, name string) string {
		if v := h.Get(name); v != "" {
			return name + ": " + v
		}
		return ""
	}
	cases := []struct {
		fault  string
		header string
		want   answer
	}{
		{"502", "", answer{Status: 502, BodyStart: `{"documentation_url"`}},
		{"none", "", answer{Status: 201, BodyStart: `{"expires_at"`}},
		{"rate-limit:1", "Retry-After", answer{Status: 403, Header: "Retry-After: 1", BodyStart: `{"documentation_url"`}},
		{"primary-rate-limit:30", "X-RateLimit-Remaining", answer{Status: 403, Header: "X-RateLimit-Remaining: 0", BodyStart: `{"message":"API rate limit exceeded`}},
		{"not-json", "", answer{Status: 200, BodyStart: "<!DOCTYPE html>"}},
		{"reset", "", answer{Failed: true}},
		{"429", "", answer{Status: 429, BodyStart: `{"documentation_url"`}},
		{"huge:100000", "", answer{Status: 201, BodyStart: `{"token":"AAAA`}},
		{"past the faults", "", answer{Status: 201, BodyStart: `{"expires_at"`}},
	}
	// In order, so not parallel.
	for _, c := range cases {
		status, h, b, err := s.call(t, "POST", mint, "", "")
		got := answer{Status: status, Header: get(h, c.header), Failed: err != nil}
		if len(b) >= len(c.want.BodyStart) {
			got.BodyStart = string(b[:len(c.want.BodyStart)])
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.fault, diff)
		}
		if c.fault == "huge:100000" && len(b) < 100000 {
			t.Errorf("huge:100000: %d bytes", len(b))
		}
	}

	// JIT faults: the first registers nothing, the second registers the
	// runner and loses the answer, the third succeeds.
	body := func(name string) string {
		return `{"name":"` + name + `","runner_group_id":1,"labels":["self-hosted"]}`
	}
	const jit = "/orgs/octo-org/actions/runners/generate-jitconfig"
	if status, _, _, err := s.call(t, "POST", jit, "", body("j1")); err != nil || status != 502 {
		t.Errorf("502-before: %d, %v", status, err)
	}
	if _, _, _, err := s.call(t, "POST", jit, "", body("j2")); err == nil {
		t.Error("lost: an answer arrived")
	}
	s.mustCall(t, "POST", jit, "", body("j3"), 201, nil)
	var got struct {
		Runners []runner `json:"runners"`
	}
	s.mustCall(t, "GET", "/orgs/octo-org/actions/runners", "", "", 200, &got)
	var names []string
	for _, r := range got.Runners {
		names = append(names, r.Name)
	}
	if diff := cmp.Diff([]string{"j2", "j3"}, names); diff != "" {
		t.Errorf("runners registered (-want +got):\n%s", diff)
	}
}

// The last fault, stall, is checked apart: its body never ends.
func TestStallFault(t *testing.T) {
	t.Parallel()
	s := start(t, "-fault", "stall")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/orgs/octo-org/actions/runners/registration-token", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+simToken)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	start := make([]byte, len(`{"token":"AAAA`))
	if _, err := io.ReadFull(resp.Body, start); err != nil || resp.StatusCode != http.StatusCreated || string(start) != `{"token":"AAAA` {
		t.Errorf("status %d, body starting %q (%v)", resp.StatusCode, start, err)
	}
	cancel() // the body would never end
}

func TestInterface(t *testing.T) {
	t.Parallel()
	ip, err := interfaceIPv4("lo")
	if err != nil {
		t.Skipf("no loopback interface named lo: %v", err)
	}
	for _, args := range [][]string{{"-interface", "lo"}, {"-interface", "lo", "-listen", ":0"}} {
		s := start(t, args...)
		if host, _, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimSuffix(s.url, "/api/v3"), "https://")); err != nil || host != ip {
			t.Errorf("%v: url %s, want host %s", args, s.url, ip)
		}
		// The certificate is valid for the interface's address.
		s.mustCall(t, "POST", "/orgs/octo-org/actions/runners/registration-token", "", "", 201, nil)
	}
}

func TestRefusedBeforeListening(t *testing.T) {
	t.Parallel()
	noDocker := func() bool { _, err := net.InterfaceByName("docker0"); return err != nil }()
	cases := []struct {
		name  string
		args  []string
		token string
		want  []string // in the error
	}{
		{"no credential", nil, "", []string{"set SIM_TOKEN"}},
		{"no credential in -token-env", []string{"-token-env", "OTHER"}, simToken, []string{"set OTHER"}},
		{"all addresses without -host", []string{"-listen", "0.0.0.0:0"}, simToken, []string{"say with -host"}},
		{"a stray argument", []string{"serve"}, simToken, []string{`unexpected argument "serve"`}},
		{"-base without its slash", []string{"-base", "api"}, simToken, []string{`-base "api": give a path that starts with /`}},
		{"-base as a URL", []string{"-base", "https://h/api/v3"}, simToken, []string{"starts with /"}},
		{"unknown flag", []string{"-runners", "x"}, simToken, []string{"-runners"}},
		{"unknown fault", []string{"-fault", "502,bogus"}, simToken, []string{`unknown fault "bogus"`, "STATUS", "rate-limit[:SECONDS]", "reset", "hang", "stall", "huge[:BYTES]", "not-json", "none"}},
		{"status out of range", []string{"-fault", "302"}, simToken, []string{`fault "302"`, "400 to 599"}},
		{"argument where none is taken", []string{"-fault", "reset:2"}, simToken, []string{`fault "reset:2"`, "takes no"}},
		{"bad seconds", []string{"-fault", "rate-limit:soon"}, simToken, []string{`"soon" is not a number of seconds`}},
		{"unknown JIT fault", []string{"-jit-fault", "gone"}, simToken, []string{`unknown JIT fault "gone"`, "lost", "502-before", "wrong-type"}},
		{"runner without a target", []string{"-runner", "name=x"}, simToken, []string{"say where"}},
		{"runner with two targets", []string{"-runner", "organization=a,enterprise=b,name=x"}, simToken, []string{"give one of"}},
		{"runner without a name", []string{"-runner", "organization=a"}, simToken, []string{"name= is missing"}},
		{"runner with a bad status", []string{"-runner", "organization=a,name=x,status=idle"}, simToken, []string{`status="idle"`}},
		{"busy and offline", []string{"-runner", "organization=a,name=x,busy,status=offline"}, simToken, []string{"a busy runner is online"}},
		{"unknown runner key", []string{"-runner", "organization=a,name=x,colour=red"}, simToken, []string{`unknown key "colour"`, "label"}},
		{"a key without its value", []string{"-runner", "organization=a,name"}, simToken, []string{"name needs a value"}},
		{"a key twice", []string{"-runner", "organization=a,name=x,name=y"}, simToken, []string{"name given twice"}},
		{"the same runner twice", []string{"-runner", "organization=a,name=x", "-runner", "organization=A,name=X"}, simToken, []string{`orgs/a already has a runner named "X"`}},
		{"a group that is not there", []string{"-runner-group", "organization=a,name=gpu", "-runner", "organization=a,name=x,group=cpu"}, simToken, []string{`no runner group "cpu"`, "Default (1), gpu (2)"}},
		{"a group in a repository", []string{"-runner-group", "repository=a/b,name=gpu"}, simToken, []string{"a repository has no runner groups"}},
		{"a group with id 1", []string{"-runner-group", "organization=a,name=gpu,id=1"}, simToken, []string{"1 is the Default group"}},
		{"a group named Default", []string{"-runner-group", "organization=a,name=default"}, simToken, []string{"default group"}},
		{"a bad repository", []string{"-repository", "just-a-name"}, simToken, []string{`"just-a-name" is not OWNER/NAME`}},
		{"an installation without a key file", []string{"-app-installation", "organization=a"}, simToken, []string{"-app-installation needs -app-key-file"}},
		{"-github-env without -ca-file", []string{"-github-env", "env", "-ca-file", ""}, simToken, []string{"-github-env needs -ca-file"}},
		{"-interface and -host", []string{"-interface", "lo", "-host", "x"}, simToken, []string{"-interface and -host"}},
		{"-interface and a listen host", []string{"-interface", "lo", "-listen", "127.0.0.1:0"}, simToken, []string{"give -listen only a port"}},
		{"no such interface", []string{"-interface", "nosuch0"}, simToken, []string{"-interface nosuch0: no such network interface"}},
	}
	if noDocker {
		cases = append(cases, struct {
			name  string
			args  []string
			token string
			want  []string
		}{"no docker0", []string{"-interface", "docker0"}, simToken, []string{"-interface docker0: no such network interface", "is Docker installed and running?"}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := append([]string{"-ca-file", filepath.Join(dir, "ca.pem"), "-url-file", filepath.Join(dir, "url")}, c.args...)
			var out bytes.Buffer
			// A fail-safe: a case that is wrongly accepted serves until then.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			err := run(ctx, args, env(c.token), &out)
			if err == nil {
				t.Fatal("run accepted the flags and served")
			}
			for _, want := range c.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if n := strings.Count(err.Error(), "ghsim -h"); n > 1 {
				t.Errorf("error %q points to ghsim -h %d times", err, n)
			}
			// Refused before it served: nothing written, nothing printed.
			for _, f := range []string{"ca.pem", "url"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
					t.Errorf("%s was written", f)
				}
			}
			if out.Len() > 0 {
				t.Errorf("printed %q", out.String())
			}
		})
	}
}

// TestExitCodes: -h is not an error; flags that cannot work exit 2, as Go's
// flag package does; what fails once they are read exits 1.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		args  []string
		token string
		want  int
	}{
		{"help", []string{"-h"}, "", 0},
		{"unknown flag", []string{"-no-such-flag"}, simToken, 2},
		{"bad flag value", []string{"-fault", "bogus"}, simToken, 2},
		{"stray argument", []string{"serve"}, simToken, 2},
		{"-base without its slash", []string{"-base", "api"}, simToken, 2},
		{"no credential", nil, "", 1},
		{"no such interface", []string{"-interface", "nosuch0"}, simToken, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // fail-safe, if it served
			defer cancel()
			err := run(ctx, c.args, env(c.token), io.Discard)
			got := 0
			if err != nil {
				got = exitCode(err)
			}
			if got != c.want {
				t.Errorf("exit code %d (%v), want %d", got, err, c.want)
			}
		})
	}
}

// TestHelpAndDocCoverEveryFlag: ghsim -h is the reference, and the package
// documentation shows every flag in use.
func TestHelpAndDocCoverEveryFlag(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, env(""), &out); err != nil {
		t.Fatalf("-h: %v", err)
	}
	help := out.String()
	var flags []string
	for _, line := range strings.Split(help, "\n") {
		if m := regexp.MustCompile(`^  -([a-z-]+)`).FindStringSubmatch(line); m != nil {
			flags = append(flags, m[1])
		}
	}
	if len(flags) < 15 {
		t.Fatalf("-h lists %d flags:\n%s", len(flags), help)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	for _, name := range flags {
		if !regexp.MustCompile(`(^|[\s(])-` + name + `([\s=]|$)`).MatchString(doc) {
			t.Errorf("the package documentation does not show -%s", name)
		}
	}
	for _, k := range faultKinds {
		if !strings.Contains(help, "  "+k.name) {
			t.Errorf("-h does not list the fault %s", k.name)
		}
	}
}

// TestGoRunAtVersion: users install the simulator with go install
// github.com/runnertoken/runner-token-action/cmd/ghsim@COMMIT (@v1 once
// released), which Go refuses for a module whose go.mod has replace or
// exclude directives.
func TestGoRunAtVersion(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 0 && (f[0] == "replace" || f[0] == "exclude") {
			t.Errorf("go.mod:%d: %s directive: go install …/cmd/ghsim@VERSION would refuse the module", i+1, f[0])
		}
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" && f[1] != "github.com/runnertoken/runner-token-action" {
			t.Errorf("go.mod: module %s, but the documentation says go install github.com/runnertoken/runner-token-action/cmd/ghsim@VERSION", f[1])
		}
	}
}
