// Command ghsim serves the project's GitHub API simulator on its own, so a
// workflow can run the action (uses: ./) or its image against it. It accepts
// one credential, read from an environment variable so that it never appears
// on a command line, with admin rights on octo-org/app, octo-org and
// octo-ent.
//
//	SIM_TOKEN=$(openssl rand -hex 20) go run ./cmd/ghsim \
//	    -listen 0.0.0.0:8443 -host 172.17.0.1 -ca-file ca.pem -url-file url
//
// It runs until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ghsim:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, w io.Writer) error {
	fs := flag.NewFlagSet("ghsim", flag.ContinueOnError)
	var (
		listen     = fs.String("listen", "127.0.0.1:0", "address to listen on")
		host       = fs.String("host", "", "host name or IP that clients use; added to the certificate and used in the URL (default: the listen address)")
		base       = fs.String("base", "/api/v3", "base path the API is mounted under")
		tokenEnv   = fs.String("token-env", "SIM_TOKEN", "environment variable holding the one credential accepted")
		caFile     = fs.String("ca-file", "", "write the CA certificate (PEM) here, for SSL_CERT_FILE")
		urlFile    = fs.String("url-file", "", "write the API URL here once listening")
		issuedFile = fs.String("issued-file", "", "append each minted credential here, one line: KIND TARGET TOKEN")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	token := getenv(*tokenEnv)
	if token == "" {
		return fmt.Errorf("set %s to the credential the simulator should accept", *tokenEnv)
	}

	var opts []ghsim.Option
	opts = append(opts, ghsim.WithListenAddr(*listen))
	if *host != "" {
		opts = append(opts, ghsim.WithHosts(*host))
	}
	sim, err := ghsim.New(*base, opts...)
	if err != nil {
		return err
	}
	defer sim.Close()
	sim.AddExampleTargets()
	sim.AddCredential("admin", token, ghsim.Credential{Type: ghsim.ClassicPAT, Admin: []string{"octo-org/app", "octo-org", "enterprises/octo-ent"}})

	if *issuedFile != "" {
		var mu sync.Mutex
		sim.OnIssue(func(i ghsim.Issued) {
			mu.Lock()
			defer mu.Unlock()
			f, err := os.OpenFile(*issuedFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
			if err != nil {
				fmt.Fprintln(os.Stderr, "ghsim:", err)
				return
			}
			defer f.Close()
			fmt.Fprintf(f, "%s %s %s\n", i.Kind, i.Target, i.Token)
		})
	}

	_, port, err := net.SplitHostPort(sim.Addr())
	if err != nil {
		return err
	}
	h := *host
	if h == "" {
		h, _, _ = net.SplitHostPort(*listen)
	}
	if h == "" || h == "0.0.0.0" || h == "::" {
		return errors.New("listening on all addresses: say with -host which address clients use")
	}
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	url := "https://" + h + ":" + port + strings.TrimSuffix(*base, "/")

	if *caFile != "" {
		if err := os.WriteFile(*caFile, sim.CACertPEM(), 0o644); err != nil {
			return err
		}
	}
	// The URL file comes last: scripts wait for it as the sign of readiness.
	if *urlFile != "" {
		if err := os.WriteFile(*urlFile, []byte(url+"\n"), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "GitHub API simulator at %s (targets octo-org/app, octo-org, octo-ent)\n", url)
	<-ctx.Done()
	return nil
}
