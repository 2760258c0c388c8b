package githubapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/retry"
	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// Op is which call of the action a request was: the same answer means
// different things, and calls for different advice, from different calls.
type Op int

const (
	OpOther             Op = iota
	OpRunnerToken          // POST {target}/actions/runners/{registration,remove}-token
	OpFindInstallation     // GET {target}/installation, with the app's JWT
	OpInstallationToken    // POST app/installations/{id}/access_tokens, with the JWT
	OpRevokeToken          // DELETE installation/token
	OpListGroups           // GET {target}/actions/runner-groups
	OpListRunners          // GET {target}/actions/runners
	OpRegisterJIT          // POST {target}/actions/runners/generate-jitconfig
	OpRemoveRunner         // DELETE {target}/actions/runners/{id}
	OpGetRunner            // GET {target}/actions/runners/{id}
	OpListDownloads        // GET {target}/actions/runners/downloads
)

// Error is an HTTP error answer from the API, reduced to what a user needs:
// the status, GitHub's own message and the request id to quote to support.
type Error struct {
	Op         Op
	StatusCode int
	Message    untrusted.Text // GitHub's message
	Details    []untrusted.Text
	RequestID  untrusted.Text
	// EnterpriseVersion is GHES's version, from X-GitHub-Enterprise-Version.
	EnterpriseVersion untrusted.Text
	// NotJSON is set when the body was not GitHub's JSON error at all, e.g.
	// an HTML page from a web host or a proxy.
	NotJSON bool
	// Tries is what the retries did, RateLimited included: the last try was
	// refused by a primary or secondary rate limit (Reset is when the
	// primary limit resets, if GitHub said).
	retry.Tries
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "GitHub answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case !e.Message.IsEmpty():
		fmt.Fprintf(&b, ": %q", e.Message)
	case e.NotJSON:
		b.WriteString(" with a body that is not GitHub API JSON")
	}
	if len(e.Details) > 0 {
		fmt.Fprintf(&b, " (%s)", details(e.Details))
	}
	if !e.RequestID.IsEmpty() {
		fmt.Fprintf(&b, " [request ID %s]", e.RequestID)
	}
	b.WriteString(retries(e.Tries))
	return b.String()
}

// maxDetails bounds the details an error shows, all together: a 422 can
// list thousands.
const maxDetails = 1024

// details joins ds up to maxDetails characters, saying how many were left
// out.
func details(ds []untrusted.Text) string {
	var b strings.Builder
	for i, t := range ds {
		d := t.String()
		if i > 0 && b.Len()+len(d)+2 > maxDetails {
			fmt.Fprintf(&b, "; and %d more", len(ds)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(d)
	}
	return b.String()
}

// retries says what retrying did, for an error message: nothing when there
// was a single attempt.
func retries(tr retry.Tries) string {
	var parts []string
	if tr.Attempts > 1 {
		parts = append(parts, fmt.Sprintf("after %d attempts over %s", tr.Attempts, retry.Round(tr.Waited)))
	}
	if tr.Stopped != "" {
		parts = append(parts, "not retried: "+tr.Stopped)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// ErrNotJSON is wrapped when a successful answer's body cannot be decoded.
var ErrNotJSON = errors.New("the API's answer is not valid JSON")

// MayHaveApplied reports whether a request that failed with err may
// nevertheless have been acted on by GitHub: one of its tries was sent and
// got no clear answer (the connection broke, the time ran out, a 5xx), or
// GitHub answered success with a body that could not be used. A flow that
// creates something (a runner, a token) must then find and undo it.
func MayHaveApplied(err error) bool {
	_, ok := errors.AsType[*unclearError](err)
	return ok
}

// unclearError marks an error after which GitHub's side is unknown.
type unclearError struct{ err error }

func (u *unclearError) Error() string { return u.err.Error() }
func (u *unclearError) Unwrap() error { return u.err }

// bypassRateLimitCheck is go-github's own context key that turns off its
// local rate-limit check: without it, after an answer with
// X-RateLimit-Remaining: 0 (a 2xx included) or a secondary limit, go-github
// refuses the next request without sending it and makes up a 403 that
// GitHub never sent. Retrier alone decides when to wait. v66 does not
// export the key; it is the constant declared just before the exported
// one, and TestNoLocalRateLimitCheck fails if that ever changes.
const bypassRateLimitCheck = github.SleepUntilPrimaryRateLimitResetWhenRateLimited - 1

// Do makes one call of the action's, op: method path (below the API root)
// with an optional JSON body (one of go-github's request types), a 2xx
// answer decoded into v. It is the one way the action calls the REST API:
// every target's endpoint is its APIPath plus the same suffix. The context
// carries the retry policy's trace and turns go-github's own rate-limit
// check off. Every failure comes back as *Error, a transport error that
// names the host, or ErrNotJSON, marked for MayHaveApplied where GitHub may
// have acted on it.
func Do(ctx context.Context, c *github.Client, op Op, method, path string, body, v any) (*github.Response, error) {
	req, err := c.NewRequest(method, path, body)
	if err != nil {
		return nil, fmt.Errorf("building request %s %s: %w", method, path, err)
	}
	traced, tries := retry.WithTrace(ctx)
	resp, err := c.Do(context.WithValue(traced, bypassRateLimitCheck, true), req, v)
	if err == nil {
		return resp, nil
	}
	err = convert(ctx, c, op, resp, err, *tries)
	success := resp != nil && resp.StatusCode >= 200 && resp.StatusCode < 300
	if success || tries.Unclear > 0 {
		err = &unclearError{err}
	}
	return resp, err
}

// Replayable marks ctx's requests as safe to send again after a try that
// may have been acted on: a second registration or remove token is
// harmless. Without it, the policy never replays a POST that may have
// created something; the flow that owns it recovers instead.
func Replayable(ctx context.Context) context.Context { return retry.Replayable(ctx) }

func convert(ctx context.Context, c *github.Client, op Op, resp *github.Response, err error, tr retry.Tries) error {
	what := tr.Method + " " + strings.TrimPrefix(tr.Path, c.BaseURL.Path)
	if tr.Method == "" {
		what = "the request" // nothing was sent
	}
	var (
		er  *github.ErrorResponse
		rl  *github.RateLimitError
		arl *github.AbuseRateLimitError
		ue  *url.Error
	)
	e := &Error{Op: op, Tries: tr}
	if resp != nil {
		e.StatusCode = resp.StatusCode
		e.RequestID = untrusted.Of(resp.Header.Get("X-GitHub-Request-Id"))
		e.EnterpriseVersion = untrusted.Of(resp.Header.Get("X-GitHub-Enterprise-Version"))
	}
	switch {
	case tr.Attempts == 0 && ctx.Err() == nil:
		// Nothing was sent: whatever this is, GitHub did not say it.
		return fmt.Errorf("%s was not sent: %w", what, err)
	case errors.As(err, &rl):
		e.Message = untrusted.Of(rl.Message)
	case errors.As(err, &arl):
		e.Message = untrusted.Of(arl.Message)
	case errors.As(err, &er):
		e.Message = untrusted.Of(er.Message)
		for _, d := range er.Errors {
			e.Details = append(e.Details, detail(d))
		}
		e.NotJSON = er.Message == "" && len(er.Errors) == 0
	case errors.As(err, new(*json.SyntaxError)), errors.As(err, new(*json.UnmarshalTypeError)):
		return fmt.Errorf("%w (status %d from %s): %w", ErrNotJSON, e.StatusCode, what, err)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w%s", what, ctx.Err(), retries(tr))
	case errors.Is(err, ErrRedirectChangesMethod), errors.Is(err, ErrRedirectElsewhere), errors.Is(err, retry.ErrBodyTooLarge), errors.Is(err, retry.ErrProxyAuth):
		// Without url.Error's method and URL: the error says it all.
		if errors.As(err, &ue) {
			return ue.Err
		}
		return err
	case errors.As(err, &ue):
		return fmt.Errorf("could not reach the GitHub API at %s: %w%s", c.BaseURL.Host, ue.Err, retries(tr))
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
	return e
}

// EnterpriseBefore reports whether the error came from a GitHub Enterprise
// Server older than major.minor, as its X-GitHub-Enterprise-Version says;
// false when it did not say, or said something else.
func (e *Error) EnterpriseBefore(major, minor int) bool {
	var maj, min int
	if _, err := fmt.Sscanf(e.EnterpriseVersion.Raw(), "%d.%d", &maj, &min); err != nil {
		return false
	}
	return maj < major || maj == major && min < minor
}

func detail(d github.Error) untrusted.Text {
	switch {
	case d.Message != "":
		return untrusted.Of(d.Message)
	case d.Field != "":
		return untrusted.Of(fmt.Sprintf("%s %s: %s", d.Resource, d.Field, d.Code))
	}
	return untrusted.Of(d.Code)
}
