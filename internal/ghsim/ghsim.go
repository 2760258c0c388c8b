// Package ghsim is a local GitHub REST API simulator for tests and the local
// demo: an HTTPS server, under a base path such as /api/v3, that answers the
// runner-credential endpoints with GitHub's paths, status codes, headers and
// error bodies.
package ghsim

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// CredentialType is how GitHub treats a credential in its error answers.
type CredentialType int

const (
	ClassicPAT CredentialType = iota
	FineGrainedPAT
	// Installation is a GitHub App installation token; the workflow's
	// GITHUB_TOKEN is one.
	Installation
)

// Credential is a token the simulator accepts, and what it may administer:
// "owner/repo", "org" or "enterprises/slug".
type Credential struct {
	Type  CredentialType
	Admin []string
}

// Request is one request the simulator received. It never holds the
// credential: Credential names which one authenticated it.
type Request struct {
	Method     string
	Path       string
	Query      string
	Header     http.Header // Authorization removed
	Body       []byte
	Credential string // the name given to AddCredential, "" if none matched
	AuthScheme string // "Bearer" or "token", as sent
}

// Issued is a credential the simulator minted.
type Issued struct {
	// Kind is "registration" or "remove" (these are also in Issued), or,
	// for OnIssue only, "jit" (also in JITConfigs) or "installation" (also
	// in AppTokens).
	Kind string
	// Target is "repos/o/r", "orgs/o" or "enterprises/e"; for an
	// installation token, "installations/ID".
	Target    string
	Token     string // the token, or the encoded JIT config
	ExpiresAt string // "" for a JIT config
}

// Server is a running simulator. Start it with New; Close it when done.
type Server struct {
	BasePath string

	srv *httptest.Server
	// stop ends every request's context, so that Close does not wait for
	// a fault that answers only when the client gives up (Hang).
	stop context.CancelFunc
	ca   []byte
	mux  *http.ServeMux
	// Now is the simulator's clock; TTL is how long minted tokens live.
	Now func() time.Time
	TTL time.Duration

	mu          sync.Mutex
	credentials map[string]namedCredential
	repos       map[string]bool
	orgs        map[string]bool
	enterprises map[string]bool
	requests    []Request
	issued      []Issued
	onIssue     func(Issued)
	wrap        func(http.Handler) http.Handler
	downloads   []Download // downloads.go
	secondary   *limiter   // secondary rate limits: budget.go

	jit    jitState    // just-in-time runners, runners and runner groups: jit.go
	apps   appState    // GitHub Apps: apps.go
	tokens tokenSource // what minted credentials look like: tokens.go
}

type namedCredential struct {
	name string
	Credential
}

// Option configures New.
type Option func(*options)

type options struct {
	listen        string
	hosts         []string
	deterministic bool
}

// WithListenAddr listens on addr (default: a free loopback port), e.g.
// "0.0.0.0:8443" so that containers on this host can reach the simulator.
func WithListenAddr(addr string) Option { return func(o *options) { o.listen = addr } }

// WithHosts makes the certificate valid for more host names or IP
// addresses, e.g. the Docker bridge's gateway address.
func WithHosts(hosts ...string) Option {
	return func(o *options) { o.hosts = append(o.hosts, hosts...) }
}

// New starts a simulator with nothing in it, mounted at basePath ("/api/v3"
// as on GHES; "" for an api.github.com-style root).
func New(basePath string, opts ...Option) (*Server, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	ca, err := newAuthority(o.hosts)
	if err != nil {
		return nil, fmt.Errorf("ghsim: %w", err)
	}
	s := &Server{
		BasePath:    strings.TrimSuffix(basePath, "/"),
		ca:          ca.caPEM,
		mux:         http.NewServeMux(),
		Now:         time.Now,
		TTL:         time.Hour,
		credentials: map[string]namedCredential{},
		repos:       map[string]bool{},
		orgs:        map[string]bool{},
		enterprises: map[string]bool{},
		downloads:   DefaultDownloads(RunnerVersion),
		tokens:      tokenSource{deterministic: o.deterministic},
	}
	s.routes()
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	// Clients that rightly refuse the certificate are not news.
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	base, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.srv.Config.BaseContext = func(net.Listener) context.Context { return base }
	if o.listen != "" {
		ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", o.listen)
		if err != nil {
			stop()
			return nil, fmt.Errorf("ghsim: %w", err)
		}
		s.srv.Listener.Close()
		s.srv.Listener = ln
	}
	s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.cert}, MinVersion: tls.VersionTLS12}
	s.srv.StartTLS()
	return s, nil
}

// TB is what Start needs of a *testing.T (this package does not import
// testing: commands use it too).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Start is the simulator tests share: mounted at /api/v3 as on GHES, with
// the example targets, closed when the test ends.
func Start(tb TB, opts ...Option) *Server {
	tb.Helper()
	s, err := New("/api/v3", opts...)
	if err != nil {
		tb.Fatalf("starting the GitHub API simulator: %v", err)
	}
	tb.Cleanup(s.Close)
	s.AddExampleTargets()
	return s
}

// Close stops the server, ending requests that a fault keeps waiting.
func (s *Server) Close() {
	s.stop()
	s.srv.Close()
}

// URL is the API base URL, e.g. https://127.0.0.1:41234/api/v3.
func (s *Server) URL() string { return s.srv.URL + s.BasePath }

// Addr is the listener's host:port.
func (s *Server) Addr() string { return s.srv.Listener.Addr().String() }

// CACertPEM is the CA to trust, e.g. written to a file for SSL_CERT_FILE.
func (s *Server) CACertPEM() []byte { return s.ca }

// Client is an HTTP client that trusts the simulator and nothing else.
func (s *Server) Client() *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.ca)
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
	}}
}

// AddCredential makes token valid; name is how requests refer to it.
func (s *Server) AddCredential(name, token string, c Credential) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.credentials[token] = namedCredential{name, c}
}

// AddRepository, AddOrganization and AddEnterprise make targets exist.
func (s *Server) AddRepository(fullName string) { s.add(s.repos, fullName) }
func (s *Server) AddOrganization(login string)  { s.add(s.orgs, login) }
func (s *Server) AddEnterprise(slug string)     { s.add(s.enterprises, slug) }

func (s *Server) add(m map[string]bool, k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m[strings.ToLower(k)] = true
}

// AddExampleTargets adds the targets the tests and the demo share: the
// repository octo-org/app, the organization octo-org and the enterprise
// octo-ent.
func (s *Server) AddExampleTargets() {
	s.AddRepository("octo-org/app")
	s.AddOrganization("octo-org")
	s.AddEnterprise("octo-ent")
}

// Wrap puts middleware in front of every route, e.g. to inject faults.
func (s *Server) Wrap(mw func(next http.Handler) http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wrap = mw
}

// OnIssue calls f for every credential minted from now on: registration
// and remove tokens, JIT configs and installation tokens.
func (s *Server) OnIssue(f func(Issued)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onIssue = f
}

// announce hands i to the OnIssue function, if any.
func (s *Server) announce(i Issued) {
	s.mu.Lock()
	f := s.onIssue
	s.mu.Unlock()
	if f != nil {
		f(i)
	}
}

// Requests returns a copy of every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Issued returns every credential minted so far.
func (s *Server) Issued() []Issued {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Issued(nil), s.issued...)
}

// serve records every request, before any middleware from Wrap, holds it
// to the secondary limit, if any, and then routes it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.record(r)
	done, ok := s.withinSecondaryLimit(w, r)
	if !ok {
		return
	}
	defer done()
	s.mu.Lock()
	wrap := s.wrap
	s.mu.Unlock()
	h := http.Handler(s.mux)
	if wrap != nil {
		h = wrap(h)
	}
	h.ServeHTTP(w, r)
}

func (s *Server) routes() {
	for _, kind := range []string{"registration", "remove"} {
		for _, scope := range []string{"repos/{owner}/{repo}", "orgs/{org}", "enterprises/{enterprise}"} {
			path := s.BasePath + "/" + scope + "/actions/runners/" + kind + "-token"
			s.mux.HandleFunc("POST "+path, s.mintToken(kind))
			s.mux.HandleFunc(path, s.notFound) // GitHub answers 404, not 405, to other methods

		}
	}
	s.jitRoutes()
	s.appRoutes()
	s.downloadRoutes()
	s.mux.HandleFunc("/", s.notFound)
}

func (s *Server) notFound(w http.ResponseWriter, _ *http.Request) {
	s.writeError(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
}

// mintToken answers the six registration-token and remove-token endpoints.
func (s *Server) mintToken(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cred, ok := s.authenticate(r)
		key, docs := targetOf(r), docsFor(r, kind)
		if !ok {
			s.writeError(w, http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
			return
		}
		if !s.exists(key) {
			s.writeError(w, http.StatusNotFound, "Not Found", docs)
			return
		}
		if !cred.administers(key) {
			s.writeError(w, http.StatusForbidden, forbidden(cred.Type, key), docs)
			return
		}
		tok := Issued{
			Kind:      kind,
			Target:    key.path,
			Token:     s.tokens.runnerToken(kind, key.path),
			ExpiresAt: s.Now().Add(s.TTL).Format("2006-01-02T15:04:05.000-07:00"),
		}
		s.mu.Lock()
		s.issued = append(s.issued, tok)
		s.mu.Unlock()
		s.announce(tok)
		s.writeJSON(w, http.StatusCreated, map[string]string{"token": tok.Token, "expires_at": tok.ExpiresAt})
	}
}

// targetKey identifies a target the way GitHub's routes do.
type targetKey struct {
	path  string // "repos/o/r", "orgs/o", "enterprises/e"
	admin string // as in Credential.Admin
}

func targetOf(r *http.Request) targetKey {
	switch {
	case r.PathValue("repo") != "":
		n := r.PathValue("owner") + "/" + r.PathValue("repo")
		return targetKey{"repos/" + n, n}
	case r.PathValue("org") != "":
		n := r.PathValue("org")
		return targetKey{"orgs/" + n, n}
	default:
		n := r.PathValue("enterprise")
		return targetKey{"enterprises/" + n, "enterprises/" + n}
	}
}

func (s *Server) exists(k targetKey) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := strings.ToLower(k.admin)
	switch {
	case strings.HasPrefix(k.path, "repos/"):
		return s.repos[name]
	case strings.HasPrefix(k.path, "orgs/"):
		return s.orgs[name]
	default:
		return s.enterprises[strings.TrimPrefix(name, "enterprises/")]
	}
}

func (c *namedCredential) administers(k targetKey) bool {
	for _, a := range c.Admin {
		if strings.EqualFold(a, k.admin) {
			return true
		}
	}
	return false
}

// forbidden is GitHub's message for a credential without the right access.
func forbidden(t CredentialType, k targetKey) string {
	switch t {
	case FineGrainedPAT:
		return "Resource not accessible by personal access token"
	case Installation:
		return "Resource not accessible by integration"
	}
	if strings.HasPrefix(k.path, "repos/") {
		return "Must have admin rights to Repository."
	}
	return "You must be an admin to perform this action."
}

func docsFor(r *http.Request, kind string) string {
	scope := "a-repository"
	switch {
	case r.PathValue("org") != "":
		scope = "an-organization"
	case r.PathValue("enterprise") != "":
		scope = "an-enterprise"
	}
	return "https://docs.github.com/rest/actions/self-hosted-runners#create-a-" + kind + "-token-for-" + scope
}

// record logs r, keeping its body readable for the handler. The credential
// itself is never kept: Request.Credential names it.
func (s *Server) record(r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	h := r.Header.Clone()
	h.Del("Authorization")
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: h, Body: body}
	if cred, ok := s.authenticate(r); ok {
		req.Credential = cred.name
		req.AuthScheme, _, _ = strings.Cut(r.Header.Get("Authorization"), " ")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
}

// authenticate finds the credential in r's Authorization header, which
// GitHub accepts as "Bearer X" or "token X".
func (s *Server) authenticate(r *http.Request) (*namedCredential, bool) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") && !strings.EqualFold(scheme, "token") {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cred, ok := s.credentials[token]
	return &cred, ok
}

func (s *Server) headers(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	h.Set("X-GitHub-Request-Id", requestID())
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", "4999")
	h.Set("X-RateLimit-Used", "1")
	h.Set("X-RateLimit-Reset", fmt.Sprint(s.Now().Add(time.Hour).Unix()))
	h.Set("X-RateLimit-Resource", "core")
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	s.writeJSONWith(w, status, v, nil)
}

// writeJSONWith writes v with GitHub's headers, then extra ones.
func (s *Server) writeJSONWith(w http.ResponseWriter, status int, v any, extra http.Header) {
	s.headers(w)
	for k, vs := range extra {
		w.Header()[k] = vs
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes GitHub's error body: message, documentation_url and
// status (a string, as GitHub sends it).
func (s *Server) writeError(w http.ResponseWriter, status int, msg, docs string) {
	s.writeErrorWith(w, status, msg, docs, nil)
}

func (s *Server) writeErrorWith(w http.ResponseWriter, status int, msg, docs string, extra http.Header) {
	s.writeJSONWith(w, status, map[string]string{
		"message":           msg,
		"documentation_url": docs,
		"status":            fmt.Sprint(status),
	}, extra)
}

// requestID looks like GitHub's X-GitHub-Request-Id.
func requestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	x := strings.ToUpper(hex.EncodeToString(b))
	return x[0:4] + ":" + x[4:8] + ":" + x[8:14] + ":" + x[14:20] + ":" + x[20:24]
}
