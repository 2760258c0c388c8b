package action

import (
	"cmp"
	"context"
	"fmt"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/downloads"
)

// download starts looking up cfg's runner-platform download, alongside the
// mint so that the step takes no longer, and returns the wait for its
// result; abandon, when the mint failed, stops the look-up instead. Without
// runner-platform there is nothing to look up, and no request.
func (s *step) download(ctx context.Context, client *github.Client, cfg *config.Config) func(abandon bool) (handover, error) {
	if cfg.Platform.IsZero() {
		return func(bool) (handover, error) { return handover{}, nil }
	}
	ctx, cancel := context.WithCancel(ctx)
	var d *downloads.Download
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		d, err = downloads.Find(ctx, client, cfg.Target, cfg.Platform)
	}()
	return func(abandon bool) (handover, error) {
		if abandon {
			cancel()
		}
		<-done
		cancel()
		if abandon {
			return handover{}, nil
		}
		if err != nil {
			return handover{}, err
		}
		p := cfg.Platform
		l := handover{
			outputs: []output{
				// The URL whole, query included (a signed download needs
				// it): checked to be plain https in printable ASCII.
				{"runner-download-url", d.URL.Raw(), false},
				{"runner-download-sha256", d.SHA256, false},
				{"runner-version", d.Version, false},
			},
			log: []string{fmt.Sprintf("Runner %s for %s: %s", orUnknown(d.Version), p, d.URL)},
			// Rows that continue the mint's summary table.
			summary: fmt.Sprintf("| Runner download (%s) | %s |\n| SHA-256 | %s |\n", p, d.URL.Markdown(), orUnknown(d.SHA256)),
		}
		if d.SHA256 == "" {
			l.warnings = append(l.warnings, fmt.Sprintf("The server gives no SHA-256 checksum for the %s runner download, so runner-download-sha256 is empty: verify the download another way (older GHES versions do not list checksums)", p))
		}
		if d.Version == "" {
			l.warnings = append(l.warnings, fmt.Sprintf("The %s runner download's file name does not say its version, so runner-version is empty", p))
		}
		return l, nil
	}
}

func orUnknown(s string) string { return cmp.Or(s, "(unknown)") }
