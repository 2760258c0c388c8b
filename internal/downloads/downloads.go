// Package downloads finds the runner application a target's server offers
// for a platform: on GHES that is the server's own runner version, which
// the newest release on github.com may be too new for.
package downloads

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
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
	// URL is the server's https URL, without a fragment.
	URL      untrusted.Text
	Filename untrusted.Text
	// SHA256 is the archive's checksum, lower-case hex; "" where the server
	// gives none (older GHES).
	SHA256 string
	// Version is the runner's version, from the file name; "" if the name
	// does not say.
	Version string
}

// entry is one item of the server's list, as decoded. The temporary
// download token some servers add is never read.
type entry struct {
	OS       untrusted.Text `json:"os"`
	Arch     untrusted.Text `json:"architecture"`
	URL      untrusted.Text `json:"download_url"`
	Filename untrusted.Text `json:"filename"`
	SHA256   untrusted.Text `json:"sha256_checksum"`
}

// Find returns t's download for p. The list's file names, URLs and
// checksums are the server's: each is checked before it is handed on.
func Find(ctx context.Context, c *github.Client, t target.Target, p config.Platform) (*Download, error) {
	var list []entry
	if _, err := githubapi.Do(ctx, c, githubapi.OpListDownloads, http.MethodGet, t.APIPath()+"/actions/runners/downloads", nil, &list); err != nil {
		return nil, fmt.Errorf("listing the runner downloads for %s: %w", t, err)
	}
	var offered []string
	for _, d := range list {
		if d.OS.EqualFold(p.OS) && d.Arch.EqualFold(p.Arch) {
			return check(d, p)
		}
		offered = append(offered, fmt.Sprintf("%s-%s", d.OS, d.Arch))
	}
	sort.Strings(offered)
	if len(offered) == 0 {
		return nil, fmt.Errorf("no runner download for this platform: %s lists no runner downloads at all", t)
	}
	return nil, fmt.Errorf("no runner download for this platform: %s offers no %s runner; it offers %s: set runner-platform to one of them", t, p, strings.Join(offered, ", "))
}

// version is the runner's version in its archive's name, e.g.
// actions-runner-linux-x64-2.321.0.tar.gz.
var version = regexp.MustCompile(`-(\d+\.\d+\.\d+)\.(?:tar\.gz|zip)$`)

// check turns the server's entry for p into a Download, refusing what a
// provisioning script could not safely use: a URL that is not plain https
// (printable ASCII, as RFC 3986 has it, no credentials), a checksum that is
// not a SHA-256.
func check(d entry, p config.Platform) (*Download, error) {
	raw, _, _ := strings.Cut(d.URL.Raw(), "#")
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.IndexFunc(raw, func(r rune) bool { return r <= ' ' || r >= 0x7f }) >= 0 {
		return nil, fmt.Errorf("the server's %s runner download has no usable https URL (%s)", p, untrusted.URL(d.URL.Raw()))
	}
	sum := strings.ToLower(d.SHA256.Raw())
	if b, err := hex.DecodeString(sum); sum != "" && (err != nil || len(b) != 32) {
		return nil, fmt.Errorf("the server's %s runner download has a checksum that is not a SHA-256 (%q)", p, d.SHA256)
	}
	out := &Download{URL: untrusted.URL(raw), Filename: d.Filename, SHA256: sum}
	if m := version.FindStringSubmatch(d.Filename.Raw()); m != nil {
		out.Version = m[1]
	}
	return out, nil
}
