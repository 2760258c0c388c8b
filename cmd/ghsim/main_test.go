package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServesUntilCancelled(t *testing.T) {
	dir := t.TempDir()
	const token = "sim-test-credential-0123456789"
	env := map[string]string{"SIM_TOKEN": token}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-host", "127.0.0.1",
			"-ca-file", filepath.Join(dir, "ca.pem"), "-url-file", filepath.Join(dir, "url"),
			"-issued-file", filepath.Join(dir, "issued")}, func(k string) string { return env[k] }, &out)
	}()

	var url string
	for deadline := time.Now().Add(20 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(filepath.Join(dir, "url"))
		url = strings.TrimSpace(string(b))
	}
	if !strings.HasPrefix(url, "https://127.0.0.1:") || !strings.HasSuffix(url, "/api/v3") {
		t.Fatalf("url = %q", url)
	}
	ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest(http.MethodPost, url+"/orgs/octo-org/actions/runners/remove-token", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d", resp.StatusCode)
	}
	issued, _ := os.ReadFile(filepath.Join(dir, "issued"))
	if f := strings.Fields(string(issued)); len(f) != 3 || f[0] != "remove" || f[1] != "orgs/octo-org" {
		t.Errorf("issued file has %d fields, want KIND TARGET TOKEN", len(f))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), token) {
		t.Error("the credential was printed")
	}
}

func TestRefusesWithoutCredentialOrHost(t *testing.T) {
	if err := run(context.Background(), nil, func(string) string { return "" }, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "SIM_TOKEN") {
		t.Errorf("err = %v", err)
	}
	err := run(context.Background(), []string{"-listen", "0.0.0.0:0"}, func(string) string { return "x" }, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "say with -host") {
		t.Errorf("all addresses without -host: err = %v", err)
	}
}
