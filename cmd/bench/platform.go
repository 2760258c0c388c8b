package main

// runner-platform set: the same registration token, and the runner
// download looked up alongside it. Measured side by side with the plain
// mint in the same rounds: the lookup runs concurrently, so the step should
// take no longer, with one more request.

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
)

const (
	maxPlatformRatio    = 1.2
	platformRequestsRun = 2 // the runner token and the downloads list
)

func measurePlatform(ctx context.Context, w io.Writer, rounds int, dir, binary string, sim *ghsim.Server, sc scenario) (bool, error) {
	plain, _, err := subjects(sc, filepath.Join(dir, "plain-step"), binary, "", sim.URL())
	if err != nil {
		return false, err
	}
	plain.name = "action, runner-platform unset"
	step, err := newStep(filepath.Join(dir, "platform-step"), sc, map[string]string{"token": token, "api-url": sim.URL(), "kind": "registration", "runner-platform": "linux-x64"})
	if err != nil {
		return false, err
	}
	platform := &subject{
		name: "action, runner-platform: linux-x64",
		cmd:  stepRun(step, binary),
		check: func() error {
			_, err := hasOutputs(step, "token", "runner-download-url", "runner-download-sha256", "runner-version")
			return err
		},
	}
	if err := measureRounds(ctx, rounds, sim, platform, plain); err != nil {
		return false, err
	}
	ratio := float64(median(platform.times)) / float64(median(plain.times))
	perRun := float64(platform.requests) / float64(len(platform.times))
	met := ratio <= maxPlatformRatio && platform.requests == platformRequestsRun*len(platform.times)
	fmt.Fprintf(w, "\nrunner-platform set (the download looked up alongside the mint), %s\n\n", sc.name)
	fmt.Fprintln(w, "| command | median | p10 | p90 | API requests per run |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, s := range []*subject{platform, plain} {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.0f |\n", s.name, ms(median(s.times)), ms(pct(s.times, 10)), ms(pct(s.times, 90)), float64(s.requests)/float64(len(s.times)))
	}
	fmt.Fprintf(w, "\n- ratio of medians, runner-platform set / unset: %.2fx (goal ≤ %.1fx), %.0f API requests per run (goal %d): %s\n",
		ratio, maxPlatformRatio, perRun, platformRequestsRun, verdict(met))
	return met, nil
}
