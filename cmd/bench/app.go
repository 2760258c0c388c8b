package main

// The action authenticating as a GitHub App: the same run, with app-id and
// private-key instead of token. It has no curl reference (curl cannot sign
// a JWT); what matters is the request count: at most three before the
// runner token (installation lookup, installation token, runner token) and
// the revoke after it.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
)

const (
	maxAppRequestsBefore = 3 // lookup, installation token, runner token
	maxAppRequestsAfter  = 1 // the revoke
)

func measureApp(ctx context.Context, w io.Writer, rounds int, dir, binary string, sim *ghsim.Server, sc scenario) (bool, error) {
	key, pemText, err := ghsim.NewAppKey()
	if err != nil {
		return false, err
	}
	sim.AddExampleApp(key)
	step, err := newStep(filepath.Join(dir, "app-step"), sc, map[string]string{"token": "", "app-id": strconv.Itoa(ghsim.ExampleAppID), "private-key": pemText,
		"api-url": sim.URL(), "kind": "registration"})
	if err != nil {
		return false, err
	}

	// Per run: requests up to and including the runner token, and after it.
	before, after, seen := 0, 0, len(sim.Requests())
	app := &subject{
		name: "action with a GitHub App (start → outputs written → exit)",
		cmd:  stepRun(step, binary),
		check: func() error {
			if _, err := hasOutputs(step, "token", "installation-id"); err != nil {
				return err
			}
			reqs := sim.Requests()
			run := reqs[seen:]
			seen = len(reqs)
			for i, r := range run {
				if strings.Contains(r.Path, "/actions/runners/") {
					before, after = max(before, i+1), max(after, len(run)-i-1)
					return nil
				}
			}
			return errors.New("no runner token request")
		},
	}
	if _, err := measure(ctx, app, sim); err != nil { // warm-up
		return false, err
	}
	app.requests = 0
	for i := 0; i < rounds; i++ {
		d, err := measure(ctx, app, sim)
		if err != nil {
			return false, err
		}
		app.times = append(app.times, d)
	}

	met := before <= maxAppRequestsBefore && after == maxAppRequestsAfter
	fmt.Fprintf(w, "\nGitHub App authentication (app-id and private-key instead of token), %s\n\n", sc.name)
	fmt.Fprintln(w, "| command | median | p10 | p90 | API requests per run |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	fmt.Fprintf(w, "| %s | %s | %s | %s | %.0f |\n", app.name, ms(median(app.times)), ms(pct(app.times, 10)), ms(pct(app.times, 90)), float64(app.requests)/float64(len(app.times)))
	fmt.Fprintf(w, "\n- API requests per run: %d up to the runner token (goal ≤ %d) + %d revoke (goal %d): %s\n",
		before, maxAppRequestsBefore, after, maxAppRequestsAfter, verdict(met))
	return met, nil
}
