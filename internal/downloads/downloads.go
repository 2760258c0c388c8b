// Package downloads finds the runner application a target's server offers
// for a platform: on GHES that is the server's own runner version, which
// the newest release on github.com may be too new for.
package downloads

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/target"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// Download is the runner application for one platform.
type Download struct {
	URL      string
	Filename string
	// SHA256 is the archive's checksum, lower-case hex; "" where the server
	// gives none (older GHES).
	SHA256 string
	// Version is the runner's version, from the file name; "" if the name
	// does not say.
	Version string
}

// ErrNotOffered is wrapped when the server lists no download for the
// platform asked for.
var ErrNotOffered = errors.New("no runner download for this platform")

// Find returns t's download for p. The list's file names, URLs and
// checksums are the server's: each is checked before it is handed on, and
// the temporary download token some servers add is never read.
func Find(ctx context.Context, c *github.Client, t target.Target, p config.Platform) (*Download, error) {
	var list []*github.RunnerApplicationDownload
	_, err := githubapi.Call(ctx, c, githubapi.OpListDownloads, func(ctx context.Context) (resp *github.Response, err error) {
		switch t.Scope {
		case target.Repository:
			list, resp, err = c.Actions.ListRunnerApplicationDownloads(ctx, t.Owner, t.Repo)
		case target.Organization:
			list, resp, err = c.Actions.ListOrganizationRunnerApplicationDownloads(ctx, t.Owner)
		default:
			list, resp, err = c.Enterprise.ListRunnerApplicationDownloads(ctx, t.Owner)
		}
		return resp, err
	})
	if err != nil {
		return nil, fmt.Errorf("listing the runner downloads for %s: %w", t, err)
	}
	var offered []string
	for _, d := range list {
		if d == nil {
			continue
		}
		if strings.EqualFold(d.GetOS(), p.OS) && strings.EqualFold(d.GetArchitecture(), p.Arch) {
			return check(d, p)
		}
		offered = append(offered, untrusted.Clip(untrusted.Clean(d.GetOS()+"-"+d.GetArchitecture()), 40))
	}
	sort.Strings(offered)
	if len(offered) == 0 {
		return nil, fmt.Errorf("%w: %s lists no runner downloads at all", ErrNotOffered, t)
	}
	return nil, fmt.Errorf("%w: %s offers no %s runner; it offers %s: set runner-platform to one of them", ErrNotOffered, t, p, strings.Join(offered, ", "))
}

// version is the runner's version in its archive's name, e.g.
// actions-runner-linux-x64-2.321.0.tar.gz.
var version = regexp.MustCompile(`-(\d+\.\d+\.\d+)\.(?:tar\.gz|zip)$`)

// check turns the server's entry for p into a Download, refusing what a
// provisioning script could not safely use.
func check(d *github.RunnerApplicationDownload, p config.Platform) (*Download, error) {
	out := &Download{URL: d.GetDownloadURL(), Filename: d.GetFilename(), SHA256: strings.ToLower(d.GetSHA256Checksum())}
	u, err := url.Parse(out.URL)
	switch {
	case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil:
		return nil, fmt.Errorf("the server's %s runner download has no usable https URL (%q)", p, untrusted.Clip(untrusted.Clean(out.URL), 200))
	case out.SHA256 != "" && !isSHA256(out.SHA256):
		return nil, fmt.Errorf("the server's %s runner download has a checksum that is not a SHA-256 (%q)", p, untrusted.Clip(untrusted.Clean(out.SHA256), 80))
	}
	if m := version.FindStringSubmatch(out.Filename); m != nil {
		out.Version = m[1]
	}
	return out, nil
}

func isSHA256(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}
