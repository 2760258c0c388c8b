package githubapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
)

// reaches reports whether a client trusting roots completes a TLS request
// to s, and the error if not.
func reaches(t *testing.T, roots *x509.CertPool, s *ghsim.Server) error {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, s.URL()+"/meta", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestTrustedRootsAddsSSLCertFileToTheSystemRoots(t *testing.T) {
	t.Parallel()
	public := sim(t, "")  // stands in for a public CA in the system roots
	private := sim(t, "") // a private CA, e.g. a GHES instance's
	system := func() (*x509.CertPool, error) {
		p := x509.NewCertPool()
		p.AppendCertsFromPEM(public.CACertPEM())
		return p, nil
	}
	files := map[string][]byte{"/ca/private.pem": append([]byte("# the GHES CA\n"), private.CACertPEM()...)}
	readFile := func(name string) ([]byte, error) {
		if b, ok := files[name]; ok {
			return b, nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}

	roots, err := trustedRoots(system, env(map[string]string{"SSL_CERT_FILE": "/ca/private.pem"}), readFile, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := reaches(t, roots, private); err != nil {
		t.Errorf("SSL_CERT_FILE's CA is not trusted: %v", err)
	}
	if err := reaches(t, roots, public); err != nil {
		t.Errorf("the system roots are no longer trusted: %v", err)
	}

	// Unset, or set empty: the system roots only, and no file is read.
	for _, e := range []map[string]string{{}, {"SSL_CERT_FILE": ""}} {
		roots, err := trustedRoots(system, env(e), func(string) ([]byte, error) {
			t.Error("read a file without SSL_CERT_FILE")
			return nil, errors.New("unexpected")
		}, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := reaches(t, roots, public); err != nil {
			t.Errorf("%v: the system roots are not trusted: %v", e, err)
		}
		var unknown x509.UnknownAuthorityError
		if err := reaches(t, roots, private); !errors.As(err, &unknown) {
			t.Errorf("%v: reaching the private CA's server: %v, want an unknown authority", e, err)
		}
	}
}

func TestTrustedRootsWithoutSystemRoots(t *testing.T) {
	t.Parallel()
	private := sim(t, "")
	none := func() (*x509.CertPool, error) { return nil, errors.New("no system roots on this platform") }
	roots, err := trustedRoots(none, env(map[string]string{"SSL_CERT_FILE": "ca.pem"}),
		func(string) ([]byte, error) { return private.CACertPEM(), nil }, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := reaches(t, roots, private); err != nil {
		t.Error(err)
	}
}

func TestTrustedRootsRefusesAnUnusableSSLCertFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, file string
		want       []string
	}{
		{"missing", filepath.Join(dir, "nope.pem"), []string{"SSL_CERT_FILE", "cannot read", "nope.pem", "no such file"}},
		{"a directory", dir, []string{"SSL_CERT_FILE", "cannot read", dir}},
		{"empty", write("empty.pem", ""), []string{"SSL_CERT_FILE", "empty.pem", "no PEM certificate"}},
		{"not PEM", write("der.crt", "0\x82\x01\x0a..."), []string{"der.crt", "no PEM certificate"}},
		{"a key, not a certificate", write("key.pem", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"), []string{"key.pem", "no PEM certificate"}},
		{"a certificate that does not parse", write("bad.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []string{"bad.pem", "no PEM certificate"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			roots, err := trustedRoots(x509.SystemCertPool, env(map[string]string{"SSL_CERT_FILE": tc.file}), os.ReadFile, goReadsSSLCertFile)
			if err == nil {
				t.Fatalf("no error; roots %v", roots)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestTrustedRootsWhereGoReadsTheFile: where Go's own pool includes
// SSL_CERT_FILE, the file is checked, not parsed into a second pool.
func TestTrustedRootsWhereGoReadsTheFile(t *testing.T) {
	t.Parallel()
	private := sim(t, "")
	system := func() (*x509.CertPool, error) {
		t.Error("loaded the system roots: Go's own pool does that, lazily")
		return nil, errors.New("unexpected")
	}
	for _, e := range []map[string]string{{}, {"SSL_CERT_FILE": "ca.pem"}} {
		roots, err := trustedRoots(system, env(e), func(string) ([]byte, error) { return private.CACertPEM(), nil }, true)
		if err != nil || roots != nil {
			t.Errorf("%v: roots %v, error %v; want Go's own pool (nil) and no error", e, roots, err)
		}
	}
	_, err := trustedRoots(system, env(map[string]string{"SSL_CERT_FILE": "ca.pem"}), func(string) ([]byte, error) { return []byte("not a certificate"), nil }, true)
	if err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("error = %v, want the file refused", err)
	}
}

// TestDefaultHTTPClientKeepsTheStandardTransport: proxies still come from
// HTTPS_PROXY/NO_PROXY, and SSL_CERT_FILE's CA is trusted.
func TestDefaultHTTPClientKeepsTheStandardTransport(t *testing.T) {
	if url := os.Getenv("GITHUBAPI_TRUST_CHECK_URL"); url != "" {
		trustCheckChild(t, url)
		return
	}
	private := sim(t, "")
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, private.CACertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", ca)
	hc, err := DefaultHTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := hc.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport %T, want a clone of http.DefaultTransport", hc.Transport)
	}
	if tr == http.DefaultTransport || tr.Proxy == nil || !tr.ForceAttemptHTTP2 {
		t.Errorf("transport is not a clone of http.DefaultTransport (proxy from the environment, HTTP/2)")
	}

	// Go reads SSL_CERT_FILE once per process, so the request that proves
	// the CA is trusted runs in a fresh one: in this one, an earlier test
	// (or run, with -count) may have fixed the roots already.
	cmd := exec.Command(os.Args[0], "-test.run=^TestDefaultHTTPClientKeepsTheStandardTransport$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GITHUBAPI_TRUST_CHECK_URL="+private.URL()+"/meta")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("a fresh process with SSL_CERT_FILE set: %v\n%s", err, out)
	}

	t.Setenv("SSL_CERT_FILE", ca+".missing")
	if _, err := DefaultHTTPClient(); err == nil || !strings.Contains(err.Error(), "SSL_CERT_FILE") {
		t.Errorf("with a missing SSL_CERT_FILE: %v, want an error naming it", err)
	}
}

// trustCheckChild is the fresh process: SSL_CERT_FILE, set by the parent,
// must be what makes url's certificate trusted.
func trustCheckChild(t *testing.T, url string) {
	hc, err := DefaultHTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(url)
	if err != nil {
		t.Fatalf("SSL_CERT_FILE's CA is not trusted: %v", err)
	}
	resp.Body.Close()
}
