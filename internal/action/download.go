package action

import (
	"cmp"
	"context"
	"fmt"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/downloads"
)

// findDownload looks up cfg's runner-platform download, and says what to
// hand over of it. It runs alongside the mint.
func findDownload(ctx context.Context, client *github.Client, cfg *config.Config) (handover, error) {
	p := cfg.Platform
	d, err := downloads.Find(ctx, client, cfg.Target, p)
	if err != nil {
		return handover{}, err
	}
	h := handover{
		outputs: []output{
			// The URL whole, query included (a signed download needs it):
			// checked to be plain https in printable ASCII.
			{"runner-download-url", d.URL.Raw(), false},
			{"runner-download-sha256", d.SHA256, false},
			{"runner-version", d.Version, false},
		},
		log: []string{fmt.Sprintf("Runner %s for %s: %s", cmp.Or(d.Version, "(unknown)"), p, d.URL)},
		// Rows that continue the mint's summary table.
		summary: fmt.Sprintf("| Runner download (%s) | %s |\n| SHA-256 | %s |\n", p, d.URL.Markdown(), cmp.Or(d.SHA256, "(unknown)")),
	}
	if d.SHA256 == "" {
		h.warnings = append(h.warnings, fmt.Sprintf("The server gives no SHA-256 checksum for the %s runner download, so runner-download-sha256 is empty: verify the download another way (older GHES versions do not list checksums)", p))
	}
	if d.Version == "" {
		h.warnings = append(h.warnings, fmt.Sprintf("The %s runner download's file name does not say its version, so runner-version is empty", p))
	}
	return h, nil
}
