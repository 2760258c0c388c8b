// Command runner-token-action is a GitHub Action that mints self-hosted
// runner credentials. The runner starts it as a container with the inputs in
// INPUT_* variables; see action.yml and README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sethvargo/go-githubactions"

	"github.com/runnertoken/runner-token-action/internal/action"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
)

func main() {
	hc, err := githubapi.DefaultHTTPClient()
	if err != nil { // SSL_CERT_FILE is set but unusable
		githubactions.New(githubactions.WithWriter(os.Stdout)).Errorf("%s", err)
		os.Exit(1)
	}
	// The runner sends SIGTERM (then SIGKILL) when a job is cancelled.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := action.Main(ctx, action.Env{
		Getenv:     os.Getenv,
		Environ:    os.Environ,
		Stdout:     os.Stdout,
		HTTPClient: hc,
	})
	stop()
	os.Exit(code)
}
