package main

// These tests build the binary the way the Dockerfile does and run it the way
// the runner runs the container: a clean environment holding only what the
// runner passes (INPUT_* with hyphens kept, GITHUB_*, RUNNER_*, HOME, CI),
// file commands in files, and custom CAs and proxies through the standard
// variables.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/runnertoken/runner-token-action/internal/actionbin"
	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

const adminToken = "ghp_e2eAdminE2eAdminE2eAdminE2eAdmin0001"

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runner-token-action-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if binary, err = actionbin.Build(context.Background(), dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// container is one run of the action as a container step.
type container struct {
	t       *testing.T
	sim     *ghsim.Server
	step    *runnertest.Step
	env     map[string]string // step.Env, to edit before running
	stdout  string
	stderr  string
	code    int
	outputs map[string]string
}

func newContainer(t *testing.T) *container {
	t.Helper()
	sim := ghsim.Start(t)
	sim.AddCredential("admin", adminToken, ghsim.Credential{Admin: []string{"octo-org/app", "octo-org"}})

	dir := t.TempDir()
	step, err := runnertest.NewStep(dir)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, sim.CACertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	// Every declared input arrives, empty when the workflow left it out.
	for name, v := range map[string]string{
		"token": adminToken, "repository": "", "organization": "", "enterprise": "", "kind": "registration", "api-url": sim.URL(),
		"runner-name": "", "runner-labels": "", "runner-group": "", "work-folder": "", "runner-id": "", "runner-platform": "",
		"wait-for": "", "runner-name-prefix": "", "max-removals": "", "dry-run": "",
	} {
		step.SetInput(name, v)
	}
	step.Env["SSL_CERT_FILE"] = ca
	return &container{t: t, sim: sim, step: step, env: step.Env}
}

// start launches the binary with exactly the step's environment.
func (c *container) start() (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	c.t.Helper()
	cmd := c.step.Command(context.Background(), binary)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	return cmd, &stdout, &stderr
}

func (c *container) run() *container {
	c.t.Helper()
	cmd, stdout, stderr := c.start()
	c.wait(cmd, stdout, stderr)
	return c
}

func (c *container) wait(cmd *exec.Cmd, stdout, stderr *bytes.Buffer) {
	c.t.Helper()
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		c.code = ee.ExitCode()
	default:
		c.t.Fatal(err)
	}
	c.stdout, c.stderr = stdout.String(), stderr.String()
	if c.outputs, err = c.step.Outputs(); err != nil {
		c.t.Fatal(err)
	}
}

// assertStepContract checks what every successful step owes the workflow:
// nothing on stderr, no output that action.yml does not declare, and a
// step summary under title that never holds the minted secret.
func (c *container) assertStepContract(t *testing.T, title, secret string) {
	t.Helper()
	if c.stderr != "" {
		t.Errorf("stderr: %q", c.stderr)
	}
	declared := readActionYML(t).Outputs
	for name := range c.outputs {
		if _, ok := declared[name]; !ok {
			t.Errorf("output %s is set but not declared in action.yml", name)
		}
	}
	sum, err := c.step.Summary()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sum, title) {
		t.Errorf("step summary lacks %q: %q", title, sum)
	}
	if strings.Contains(sum, secret) {
		t.Error("step summary holds the minted secret")
	}
}

func (c *container) errorAnnotation() string {
	for _, l := range runnertest.ParseLog(c.stdout) {
		if l.Name == "error" {
			return l.Message
		}
	}
	return ""
}

func TestContainerMintsAndSetsOutputs(t *testing.T) {
	t.Parallel()
	c := newContainer(t).run()
	if c.code != 0 {
		t.Fatalf("exit %d: %s", c.code, c.errorAnnotation())
	}
	issued := c.sim.Issued()
	if len(issued) != 1 || len(c.sim.Requests()) != 1 {
		t.Fatalf("issued %d tokens in %d requests, want 1 in 1", len(issued), len(c.sim.Requests()))
	}
	if c.outputs["token"] != issued[0].Token {
		t.Error("token output is not the token the simulator issued")
	}
	if c.outputs["expires-at"] != issued[0].ExpiresAt {
		t.Errorf("expires-at = %q, want %q", c.outputs["expires-at"], issued[0].ExpiresAt)
	}
	if want := strings.TrimSuffix(c.sim.URL(), "/api/v3") + "/octo-org/app"; c.outputs["runner-url"] != want {
		t.Errorf("runner-url = %q, want %q", c.outputs["runner-url"], want)
	}
	for _, s := range []string{adminToken, issued[0].Token} {
		if err := runnertest.CheckSecret(c.stdout, s); err != nil {
			t.Error(err)
		}
	}
	c.assertStepContract(t, "Runner registration token minted", issued[0].Token)
}

// TestContainerMintsJITConfig runs kind jit as a workflow would, through
// the duplicate-safety path: GitHub registers the runner but the answer is
// lost, and the step must leave exactly one runner, the one it hands out.
func TestContainerMintsJITConfig(t *testing.T) {
	t.Parallel()
	c := newContainer(t)
	c.env[runnertest.InputEnv("kind")] = "jit"
	c.env[runnertest.InputEnv("organization")] = "octo-org"
	c.env[runnertest.InputEnv("runner-labels")] = "self-hosted,linux\ngpu"
	c.env["GITHUB_RUN_ID"] = "9876543210"
	c.env["GITHUB_RUN_ATTEMPT"] = "3"
	c.sim.FailJIT(ghsim.LoseResponse)
	c.run()
	if c.code != 0 {
		t.Fatalf("exit %d: %s", c.code, c.errorAnnotation())
	}
	issued := c.sim.JITConfigs()
	runners := c.sim.Runners("orgs/octo-org")
	if len(issued) != 2 || len(runners) != 1 || runners[0].ID != issued[1].RunnerID {
		t.Fatalf("issued %d configs, %d runners left: want 2 configs and only the second runner", len(issued), len(runners))
	}
	if c.outputs["jit-config"] != issued[1].Config {
		t.Error("jit-config output differs from the config the simulator issued")
	}
	want := map[string]string{"runner-id": fmt.Sprint(runners[0].ID), "runner-name": runners[0].Name, "runner-url": strings.TrimSuffix(c.sim.URL(), "/api/v3") + "/octo-org"}
	for k, v := range want {
		if c.outputs[k] != v {
			t.Errorf("output %s = %q, want %q", k, c.outputs[k], v)
		}
	}
	if len(c.outputs) != 4 {
		t.Errorf("got %d outputs, want jit-config, runner-id, runner-name and runner-url", len(c.outputs))
	}
	if !strings.HasPrefix(runners[0].Name, "app-9876543210-3-") || strings.Join(runners[0].Labels, ",") != "self-hosted,linux,gpu" {
		t.Errorf("runner %q with labels %q", runners[0].Name, runners[0].Labels)
	}
	for _, cfg := range issued {
		if err := runnertest.CheckSecret(c.stdout, cfg.Config); err != nil && !strings.Contains(err.Error(), "never masked") {
			t.Errorf("JIT config of runner %d: %v", cfg.RunnerID, err)
		}
	}
	if err := runnertest.CheckSecret(c.stdout, issued[1].Config); err != nil {
		t.Error(err)
	}
	c.assertStepContract(t, "Just-in-time runner registered", issued[1].Config)
}

func TestContainerFailureIsOneAnnotationAndExit1(t *testing.T) {
	t.Parallel()
	c := newContainer(t)
	c.env["INPUT_ORGANIZATION"] = "octo-org"
	c.env["INPUT_REPOSITORY"] = "octo-org/app"
	c.env["INPUT_KIND"] = "bogus"
	c.run()
	if c.code != 1 {
		t.Fatalf("exit %d, want 1", c.code)
	}
	e := c.errorAnnotation()
	for _, w := range []string{"repository and organization are all set", `kind "bogus"`} {
		if !strings.Contains(e, w) {
			t.Errorf("error %q lacks %q", e, w)
		}
	}
	if len(c.outputs) != 0 || len(c.sim.Requests()) != 0 {
		t.Errorf("outputs %d, requests %d: want none", len(c.outputs), len(c.sim.Requests()))
	}
	if err := runnertest.CheckSecret(c.stdout, adminToken); err != nil {
		t.Error(err)
	}
}

func TestContainerNeedsTheCustomCA(t *testing.T) {
	t.Parallel()
	c := newContainer(t)
	delete(c.env, "SSL_CERT_FILE")
	c.run()
	if c.code != 1 || !strings.Contains(c.errorAnnotation(), "certificate signed by unknown authority") {
		t.Fatalf("exit %d, error %q: want a certificate error", c.code, c.errorAnnotation())
	}
	if len(c.sim.Requests()) != 0 {
		t.Error("the request went through without trusting the CA")
	}
}

func TestContainerRefusesAnUnusableSSLCertFile(t *testing.T) {
	t.Parallel()
	c := newContainer(t)
	c.env["SSL_CERT_FILE"] = filepath.Join(t.TempDir(), "missing-ca.pem")
	c.run()
	if c.code != 1 || !strings.Contains(c.errorAnnotation(), "SSL_CERT_FILE: cannot read") {
		t.Fatalf("exit %d, error %q: want an error naming SSL_CERT_FILE", c.code, c.errorAnnotation())
	}
	if len(c.outputs) != 0 || len(c.sim.Requests()) != 0 {
		t.Errorf("outputs %d, requests %d: want none", len(c.outputs), len(c.sim.Requests()))
	}
}

func TestContainerThroughProxy(t *testing.T) {
	t.Parallel()

	t.Run("HTTPS_PROXY carries the request", func(t *testing.T) {
		t.Parallel()
		c := newContainer(t)
		p := startProxy(t, c.sim.Addr())
		_, port, _ := net.SplitHostPort(c.sim.Addr())
		c.env["INPUT_API-URL"] = "https://proxied.sim.test:" + port + "/api/v3"
		c.env["HTTPS_PROXY"] = p.url
		c.run()
		if c.code != 0 {
			t.Fatalf("exit %d: %s", c.code, c.errorAnnotation())
		}
		if got := p.targets(); len(got) != 1 || got[0] != "proxied.sim.test:"+port {
			t.Errorf("proxy CONNECTs = %q, want one to proxied.sim.test:%s", got, port)
		}
		if c.outputs["runner-url"] != "https://proxied.sim.test:"+port+"/octo-org/app" {
			t.Errorf("runner-url = %q", c.outputs["runner-url"])
		}
	})

	t.Run("NO_PROXY bypasses it", func(t *testing.T) {
		t.Parallel()
		c := newContainer(t)
		p := startProxy(t, c.sim.Addr())
		_, port, _ := net.SplitHostPort(c.sim.Addr())
		c.env["INPUT_API-URL"] = "https://proxied.sim.test:" + port + "/api/v3"
		c.env["https_proxy"] = p.url
		c.env["no_proxy"] = "localhost,.sim.test"
		c.run()
		// Direct, the made-up host does not resolve: the proxy was bypassed.
		if c.code != 1 || !strings.Contains(c.errorAnnotation(), "could not reach the GitHub API at proxied.sim.test:"+port) {
			t.Fatalf("exit %d, error %q", c.code, c.errorAnnotation())
		}
		if got := p.targets(); len(got) != 0 {
			t.Errorf("proxy got %q despite NO_PROXY", got)
		}
	})
}

func TestContainerStopsOnSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs Unix signals")
	}
	t.Parallel()
	c := newContainer(t)
	arrived := make(chan struct{}, 1)
	c.sim.Wrap(func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			<-r.Context().Done() // never answers
		})
	})
	cmd, stdout, stderr := c.start()
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the request never reached the simulator")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { c.wait(cmd, stdout, stderr); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("the action ignored SIGTERM")
	}
	if c.code != 1 || !strings.Contains(c.errorAnnotation(), "cancelled before a credential was minted") {
		t.Errorf("exit %d, error %q", c.code, c.errorAnnotation())
	}
}

// proxy is a minimal HTTPS CONNECT proxy that sends every tunnel to one
// address, so a made-up host name reaches the simulator only through it.
type proxy struct {
	url string
	mu  sync.Mutex
	got []string
}

func (p *proxy) targets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.got...)
}

func startProxy(t *testing.T, upstream string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); ln.Close() })
	p := &proxy{url: "http://" + ln.Addr().String()}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go p.tunnel(ctx, conn, upstream)
		}
	}()
	return p
}

func (p *proxy) tunnel(ctx context.Context, conn net.Conn, upstream string) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	req, err := http.ReadRequest(br)
	if err != nil || req.Method != http.MethodConnect {
		fmt.Fprint(conn, "HTTP/1.1 405 Method Not Allowed\r\n\r\n")
		return
	}
	p.mu.Lock()
	p.got = append(p.got, req.Host)
	p.mu.Unlock()
	up, err := (&net.Dialer{}).DialContext(ctx, "tcp", upstream)
	if err != nil {
		fmt.Fprint(conn, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
		return
	}
	defer up.Close()
	fmt.Fprint(conn, "HTTP/1.1 200 Connection Established\r\n\r\n")
	go func() { _, _ = io.Copy(up, br) }()
	_, _ = io.Copy(conn, up)
}
