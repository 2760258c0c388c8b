// Package githubapi builds the GitHub REST client the action uses and turns
// what the API answers into errors a user can act on.
package githubapi

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/retry"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// userAgent identifies the action to GitHub (and in GHES audit logs).
const userAgent = "runner-token-action"

// maxRedirects bounds same-host redirects (GitHub answers 307 for a renamed
// repository).
const maxRedirects = 5

const (
	// PerPage is the listing endpoints' maximum page size.
	PerPage = 100
	// MaxPages bounds a listing against a server whose Link headers never
	// end: 100 pages of 100 is far beyond any real organization.
	MaxPages = 100
)

// Pages lists what path (below the API root) holds, with query q, page by
// page as GitHub's Link headers lead: each page is decoded into a new P and
// handed to each, until each returns false. complete is false when the
// listing stopped at MaxPages with pages left.
func Pages[P any](ctx context.Context, c *github.Client, op Op, path string, q url.Values, each func(*P) bool) (complete bool, err error) {
	query := url.Values{"per_page": {strconv.Itoa(PerPage)}}
	maps.Copy(query, q)
	for page := 1; page <= MaxPages; {
		query.Set("page", strconv.Itoa(page))
		var p P
		resp, err := Do(ctx, c, op, http.MethodGet, path+"?"+query.Encode(), nil, &p)
		if err != nil {
			return false, err
		}
		if !each(&p) || resp.NextPage <= page {
			return true, nil
		}
		page = resp.NextPage
	}
	return false, nil
}

var (
	// ErrRedirectElsewhere is returned when the API redirects to another
	// host or scheme: the credential is never sent anywhere but api-url's.
	ErrRedirectElsewhere = errors.New("redirect to another host refused")
	// ErrRedirectChangesMethod is returned for a redirect that would turn
	// the request into another (Go follows a 301, 302 or 303 to a DELETE or
	// POST with a GET): a 2xx to that GET would read as a success of what
	// was never done.
	ErrRedirectChangesMethod = errors.New("redirect that changes the request refused")
)

// ClientOption configures NewClient.
type ClientOption func(*retry.Policy)

// WithPolicy retries and bounds requests as p says. Without it a request is
// tried once, still with Policy's per-attempt timeout and answer size cap.
func WithPolicy(p retry.Policy) ClientOption {
	return func(dst *retry.Policy) { *dst = p }
}

// NewClient returns a go-github client for the API at base, exactly as given
// (only a trailing slash is added, which go-github needs to resolve paths;
// unlike WithEnterpriseURLs, no /api/v3 is ever appended). Requests carry
// token as a bearer credential, which GitHub accepts for classic and
// fine-grained PATs and for installation tokens alike.
func NewClient(hc *http.Client, base *url.URL, token string, opts ...ClientOption) *github.Client {
	hc = cmp.Or(hc, http.DefaultClient)
	rt := cmp.Or(hc.Transport, http.DefaultTransport)
	p := retry.Policy{MaxAttempts: 1}
	for _, o := range opts {
		o(&p)
	}
	// The credential is added beneath go-github's redirect handling, so it
	// would follow a redirect: sameOrigin refuses any that leave the API.
	c := github.NewClient(&http.Client{
		Transport:     retry.NewTransport(rt, p),
		CheckRedirect: sameOrigin,
		Timeout:       hc.Timeout,
	}).WithAuthToken(token)
	b := *base
	if !strings.HasSuffix(b.Path, "/") {
		b.Path += "/"
		if b.RawPath != "" {
			b.RawPath += "/"
		}
	}
	c.BaseURL = &b
	c.UploadURL = &b // never used; keeps go-github off uploads.github.com
	c.UserAgent = userAgent
	return c
}

func sameOrigin(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if req.Method != via[0].Method {
		return fmt.Errorf("%w: GitHub answered %s %s with a redirect to %s %s, so it is not confirmed that it was done (check api-url, and any proxy in front of the API)",
			ErrRedirectChangesMethod, via[0].Method, first.Path, req.Method, untrusted.Of(req.URL.Path))
	}
	if !strings.EqualFold(req.URL.Host, first.Host) || req.URL.Scheme != first.Scheme {
		return fmt.Errorf("%w: the API at %s redirected to %s://%s; the credential is not sent there (check api-url)",
			ErrRedirectElsewhere, first.Host, untrusted.Of(req.URL.Scheme), untrusted.Of(req.URL.Host))
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects from the API at %s", len(via), first.Host)
	}
	return nil
}

// DefaultHTTPClient is the client the action uses in a runner: the standard
// transport, so HTTPS_PROXY/NO_PROXY work as users expect, trusting the
// system roots plus SSL_CERT_FILE's certificates on every platform (see
// trustedRoots). It fails only if SSL_CERT_FILE is set and unusable.
func DefaultHTTPClient() (*http.Client, error) {
	roots, err := trustedRoots(x509.SystemCertPool, os.Getenv, os.ReadFile, goReadsSSLCertFile)
	if err != nil {
		return nil, err
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	// Types a proxy's 407 to CONNECT, which net/http otherwise reports only
	// as text.
	t.OnProxyConnectResponse = func(_ context.Context, _ *url.URL, _ *http.Request, resp *http.Response) error {
		if resp.StatusCode == http.StatusProxyAuthRequired {
			return retry.ErrProxyAuth
		}
		return nil
	}
	return &http.Client{Transport: t}, nil
}

// ParseTime reads a time as RFC 3339 writes it, which allows a lower-case
// "t" and "z" (RFC 3339, section 5.6) where Go's layout wants upper case.
func ParseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339, strings.ToUpper(s))
}
