// Package retry is the one request policy every call of the action goes
// through, clean-ups included: which tries to retry and after how long, the
// one deadline no wait may pass, which requests may be sent again after a
// try GitHub may have acted on, and what a try may have left done on
// GitHub's side.
package retry

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/runnertoken/runner-token-action/internal/untrusted"
)

// Policy says how requests are retried and bounded. The zero value of each
// field means its default: five tries, 1s doubling to 30s between them, 30s
// per try, 1 MiB per answer (GitHub's answers here are a few hundred bytes;
// a JIT config a few KiB), the real clock and no log. A negative number is
// taken as given.
type Policy struct {
	// MaxAttempts bounds the tries of one request, the first included,
	// that fail for the server's or the network's sake. Tries refused by a
	// rate limit do not count: they go on until the deadline (or, for a
	// request without one, count too).
	MaxAttempts int
	// BaseDelay is the first backoff; it doubles each time up to MaxDelay,
	// with equal jitter (see backoff).
	BaseDelay, MaxDelay time.Duration
	// AttemptTimeout bounds one try, reading the whole answer included, so
	// a server that stops mid-answer cannot hang the step.
	AttemptTimeout time.Duration
	// MaxBody caps what is read of an answer.
	MaxBody int64

	// Now, Sleep and Jitter are the clock, so tests never really wait.
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Jitter func() float64 // in [0, 1)

	// Log says why a request is retried and how long it waits: a user must
	// be able to see why a step took 40 seconds. Debug is for
	// ACTIONS_STEP_DEBUG: method, path, status and request id, nothing else.
	Log, Debug func(format string, args ...any)
}

// WithDefaults is p with each zero field set to its default.
func (p Policy) WithDefaults() Policy {
	p.MaxAttempts = cmp.Or(p.MaxAttempts, 5)
	p.BaseDelay = cmp.Or(p.BaseDelay, time.Second)
	p.MaxDelay = cmp.Or(p.MaxDelay, 30*time.Second)
	p.AttemptTimeout = cmp.Or(p.AttemptTimeout, 30*time.Second)
	p.MaxBody = cmp.Or(p.MaxBody, 1<<20)
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	if p.Jitter == nil {
		p.Jitter = rand.Float64
	}
	if p.Log == nil {
		p.Log = func(string, ...any) {}
	}
	if p.Debug == nil {
		p.Debug = func(string, ...any) {}
	}
	return p
}

// sleep waits d, or until ctx ends: the real clock's wait.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pause waits before a flow's own n-th attempt (n from 1) at something the
// policy does not replay, such as a JIT registration after its recovery:
// the policy's backoff, on its clock, never past ctx's deadline.
func (p Policy) Pause(ctx context.Context, n int) error {
	p = p.WithDefaults()
	wait := p.backoff(n)
	if d, ok := ctx.Deadline(); ok && p.Now().Add(wait).After(d) {
		return fmt.Errorf("waiting %s more would pass the step's deadline", Round(wait))
	}
	p.Log("Waiting %s before trying again (attempt %d)", Round(wait), n+1)
	return p.Sleep(ctx, wait)
}

// ErrBodyTooLarge is returned for an answer larger than Policy.MaxBody.
var ErrBodyTooLarge = errors.New("the API's answer is too large")

// Tries is what the retrying transport did for one call.
type Tries struct {
	// Method and Path are the request's, as sent (Path from the host's root).
	Method, Path string
	Attempts     int
	Waited       time.Duration
	// Stopped says why retrying stopped early, e.g. a rate limit that resets
	// after the step's deadline.
	Stopped string
	// Unclear counts the tries that may have been acted on by GitHub
	// without a clear answer: sent, then the connection broke, the time ran
	// out or a 5xx came back.
	Unclear int
	// RateLimited says the last try was refused by a rate limit; Reset is
	// when the credential's primary limit resets, if GitHub said.
	RateLimited bool
	Reset       time.Time
}

type traceKey struct{}

// WithTrace returns a context whose requests record what they did in the
// returned Tries. It needs no lock: the transport's tries of one request
// (and of its redirects) run one after another in the caller's goroutine,
// and the caller reads Tries once the request has returned.
func WithTrace(ctx context.Context) (context.Context, *Tries) {
	t := &Tries{}
	return context.WithValue(ctx, traceKey{}, t), t
}

type replayKey struct{}

// Replayable marks ctx's requests as safe to send again after a try GitHub
// may have acted on (see replayable).
func Replayable(ctx context.Context) context.Context {
	return context.WithValue(ctx, replayKey{}, true)
}

// replayable says whether req may be sent again after a try that may have
// been acted on: an idempotent method, or a request its caller marked
// Replayable. A POST that may have created something is never replayed
// blindly: the flow that owns it recovers instead.
func replayable(req *http.Request) bool {
	marked, _ := req.Context().Value(replayKey{}).(bool)
	return marked || slices.Contains([]string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete}, req.Method)
}

// retrier is the retrying http.RoundTripper. It is one credential's: after
// an answer that says the credential's rate limit is used up, it holds
// every later request until the reset.
type retrier struct {
	next http.RoundTripper
	p    Policy
	// spentUntil is when the credential's rate limit is no longer used up,
	// in Unix seconds.
	spentUntil atomic.Int64
}

// NewTransport wraps next with p's retries and bounds.
func NewTransport(next http.RoundTripper, p Policy) http.RoundTripper {
	return &retrier{next: next, p: p.WithDefaults()}
}

func (rt *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	// A request without a trace records its Tries where nobody reads them.
	tries, ok := ctx.Value(traceKey{}).(*Tries)
	if !ok {
		tries = &Tries{}
	}
	// Read once, to send again with each try.
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	deadline, hasDeadline := ctx.Deadline()
	// Tries that count towards MaxAttempts, and rate limits in a row (which
	// count only for a request without a deadline to end them).
	failures, limited := 0, 0
	for attempt := 1; ; attempt++ {
		if err := rt.awaitBudget(req); err != nil {
			return nil, err
		}
		resp, sent, err := rt.try(req, body)
		v := rt.classify(resp, err, sent)
		tries.Method, tries.Path, tries.Attempts = req.Method, req.URL.Path, attempt
		tries.RateLimited, tries.Reset = v.rateLimited, v.reset
		if v.unclear {
			tries.Unclear++
		}
		if v.unclear && v.retry && !replayable(req) {
			v.retry = false
			tries.Stopped = "GitHub may have acted on it, and sending it again could do it twice"
		}
		if v.rateLimited {
			limited++
		}
		if !v.rateLimited || !hasDeadline {
			failures++
		}
		if !v.retry || failures >= rt.p.MaxAttempts || ctx.Err() != nil {
			return resp, err
		}
		wait := rt.wait(v, failures, limited, remainingBefore(ctx, rt.p.Now()))
		if hasDeadline && rt.p.Now().Add(wait).After(deadline) {
			tries.Stopped = stopReason(v, wait, deadline.Sub(rt.p.Now()))
			return resp, err
		}
		of := fmt.Sprintf(" of %d", rt.p.MaxAttempts)
		if v.rateLimited && hasDeadline {
			of = ", until the step's deadline"
		}
		rt.p.Log("%s %s: %s; retrying in %s (attempt %d%s)", req.Method, req.URL.Path, v.why, Round(wait), attempt+1, of)
		if err := rt.p.Sleep(ctx, wait); err != nil {
			return nil, err
		}
		tries.Waited += wait
	}
}

// try sends req once, under its own timeout, and reads the whole answer
// (capped) before that timeout ends. sent says whether the request may have
// reached the server.
func (rt *retrier) try(req *http.Request, body []byte) (*http.Response, bool, error) {
	ctx, cancel := context.WithTimeout(req.Context(), rt.p.AttemptTimeout)
	defer cancel()
	var sent atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { sent.Store(true) },
	})
	r := req.Clone(ctx)
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	start := rt.p.Now()
	resp, err := rt.next.RoundTrip(r)
	if err != nil {
		err = rt.attemptError(req, err)
		rt.p.Debug("%s %s: %v", req.Method, req.URL.Path, err)
		return nil, sent.Load(), err
	}
	if resp.StatusCode == http.StatusProxyAuthRequired {
		// A plain-HTTP proxy's refusal: the request never reached GitHub.
		resp.Body.Close()
		return nil, false, ErrProxyAuth
	}
	// Logged before the body is read: a body can hold a credential, and the
	// caller masks it before anything is written after it arrives.
	rt.p.Debug("%s %s: %d %s in %s [request ID %s]", req.Method, req.URL.Path, resp.StatusCode, http.StatusText(resp.StatusCode),
		Round(rt.p.Now().Sub(start)), untrusted.Of(resp.Header.Get("X-GitHub-Request-Id")))
	if reset, spent := budget(resp.Header); spent {
		rt.spentUntil.Store(reset.Unix() + 1)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, rt.p.MaxBody+1))
	resp.Body.Close()
	// Once this try's time is up, what was read cannot be trusted: a chunked
	// body cut short by the cancellation can read as complete (seen here with
	// HTTP/1.1, about one time in eight).
	err = cmp.Or(err, ctx.Err())
	if err == nil && resp.ContentLength >= 0 && int64(len(data)) != resp.ContentLength && int64(len(data)) <= rt.p.MaxBody {
		err = fmt.Errorf("%w: %d of %d bytes", io.ErrUnexpectedEOF, len(data), resp.ContentLength)
	}
	if err != nil {
		err = rt.attemptError(req, fmt.Errorf("reading the answer: %w", err))
		rt.p.Debug("%s %s: the answer broke off: %v", req.Method, req.URL.Path, err)
		return nil, true, err
	}
	if int64(len(data)) > rt.p.MaxBody {
		return nil, true, fmt.Errorf("%w: more than %d bytes from %s %s", ErrBodyTooLarge, rt.p.MaxBody, req.Method, req.URL.Path)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	return resp, true, nil
}

// awaitBudget holds req while the credential's rate limit is used up, as
// the last answer said (X-RateLimit-Remaining: 0, on a success too: GitHub
// asks clients not to send until the reset). A reset past the deadline
// fails at once, sending nothing.
func (rt *retrier) awaitBudget(req *http.Request) error {
	until := time.Unix(rt.spentUntil.Load(), 0)
	wait := until.Sub(rt.p.Now())
	if wait <= 0 {
		return nil
	}
	if deadline, ok := req.Context().Deadline(); ok && until.After(deadline) {
		return fmt.Errorf("GitHub's rate limit for this credential is used up until %s, %s from now, after the step's deadline: nothing was sent. Try again after the reset, or with another credential",
			until.UTC().Format(time.RFC3339), Round(wait))
	}
	rt.p.Log("%s %s: GitHub's rate limit for this credential is used up; waiting %s for its reset", req.Method, req.URL.Path, Round(wait))
	return rt.p.Sleep(req.Context(), wait)
}

// ErrProxyAuth is returned when the proxy refuses the request with 407:
// the credentials in the proxy's URL are missing or wrong, and no retry
// will change that. (It never quotes the proxy's URL, which holds them.)
var ErrProxyAuth = errors.New("the proxy refused the credentials (407 Proxy Authentication Required): " +
	"check the user and password in HTTPS_PROXY, as http://user:password@host:port (a proxy URL is almost always http://, even for HTTPS traffic), or whether this host belongs in NO_PROXY")

// attemptError says so when err is the end of this try's own time, not of
// the request's.
func (rt *retrier) attemptError(req *http.Request, err error) error {
	if req.Context().Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no complete answer in time (%s)", rt.p.AttemptTimeout)
	}
	return err
}

// verdict is the one classification of a try: whether to try again, and
// whether GitHub may have acted on it.
type verdict struct {
	retry bool
	// unclear: the request was sent and no clear answer came back, so GitHub
	// may have acted on it (created a runner, issued a token).
	unclear bool
	// rateLimited: GitHub refused it unprocessed and said to wait asked.
	rateLimited bool
	asked       time.Duration
	reset       time.Time
	why         string
}

// classify is the one place that reads a try's outcome. Everything is
// retried (the same request again) except what no retry can mend: a clear
// refusal (4xx other than a rate limit), 501, a certificate or name that
// is wrong, a proxy that refuses the credentials, an answer too large.
func (rt *retrier) classify(resp *http.Response, err error, sent bool) verdict {
	if err != nil {
		// Once sent, a broken connection, a timeout, a cancellation or an
		// answer too large to read all leave GitHub's side unknown.
		return verdict{retry: retryableError(err), unclear: sent, why: err.Error()}
	}
	status := resp.StatusCode
	why := fmt.Sprintf("GitHub answered %d %s", status, http.StatusText(status))
	if id := untrusted.Of(resp.Header.Get("X-GitHub-Request-Id")); !id.IsEmpty() {
		why += fmt.Sprintf(" [request ID %s]", id)
	}
	asked, saidWhen := retryAfter(resp.Header, rt.p.Now())
	reset, spent := budget(resp.Header)
	switch {
	// GitHub's primary and secondary rate limits; any other 403 is for want
	// of permission. Wait what Retry-After says, else until the reset when
	// the limit is used up, else a minute (GitHub's advice for secondary
	// limits).
	case status == http.StatusTooManyRequests || status == http.StatusForbidden && (saidWhen || spent || secondaryMessage(resp)):
		switch {
		case saidWhen: // as GitHub asked
		case spent:
			asked = max(reset.Sub(rt.p.Now())+time.Second, 0)
		default:
			asked = time.Minute
		}
		return verdict{retry: true, rateLimited: true, asked: asked, reset: reset, why: why + " (rate limited)"}
	// A 5xx may come after the work was done; 501 says it never will be.
	case status >= 500 && status != http.StatusNotImplemented:
		return verdict{retry: true, unclear: true, asked: asked, why: why}
	}
	return verdict{}
}

// wait is how long to wait before the next try. A rate limit's wait is at
// least what GitHub asked, and grows with each one in a row; every wait has
// jitter on top (after a 5xx's Retry-After, up to half of it and at most
// MaxDelay), so that the jobs of a matrix limited together do not all come
// back together.
func (rt *retrier) wait(v verdict, failures, limited int, remaining time.Duration) time.Duration {
	switch {
	case v.rateLimited:
		return rateLimitWindow(v.asked, limited, remaining, rt.p.Jitter())
	case v.asked > 0:
		return v.asked + time.Duration(rt.p.Jitter()*float64(min(v.asked/2, rt.p.MaxDelay)))
	}
	return rt.p.backoff(failures)
}

// budget reads GitHub's primary rate-limit headers: spent says that none is
// left until reset.
func budget(h http.Header) (reset time.Time, spent bool) {
	r, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil || h.Get("X-RateLimit-Remaining") != "0" {
		return time.Time{}, false
	}
	return time.Unix(min(r, maxUnix), 0), true
}

// maxAsked bounds what GitHub may ask to wait, and maxUnix a reset time, so
// that no arithmetic on them overflows: both are far past any deadline.
const (
	maxAsked = 100 * 365 * 24 * time.Hour
	maxUnix  = 1 << 40
)

// secondaryMessage says whether a 403's body is about a secondary rate
// limit. The body is the one try read whole into memory, so reading it
// again cannot fail.
func secondaryMessage(resp *http.Response) bool {
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	s := strings.ToLower(string(b))
	return strings.Contains(s, "secondary rate limit") || strings.Contains(s, "abuse detection")
}

func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	s, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err == nil && s >= 0:
		// Capped, never wrapped around: a huge wait stays longer than any
		// deadline, with room left for jitter on top.
		return time.Duration(min(s, int64(maxAsked/time.Second))) * time.Second, true
	case errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-"):
		return maxAsked, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// backoff waits before retry number attempt (from 1): a window that
// doubles from BaseDelay up to MaxDelay, half of it fixed and half random
// ("equal jitter", not full jitter: no retry comes at once), so that many
// jobs failing together do not retry together.
func (p Policy) backoff(attempt int) time.Duration {
	w := p.MaxDelay
	if d := float64(p.BaseDelay) * math.Pow(2, float64(attempt-1)); d <= float64(w) {
		w = time.Duration(d)
	}
	return w/2 + time.Duration(p.Jitter()*float64(w/2))
}

// retryableError is true for failures of the connection or of time, false
// for those no retry can mend.
func retryableError(err error) bool {
	_, badCert := errors.AsType[*tls.CertificateVerificationError](err)
	if badCert || errors.Is(err, context.Canceled) || errors.Is(err, ErrBodyTooLarge) || errors.Is(err, ErrProxyAuth) {
		return false
	}
	dns, isDNS := errors.AsType[*net.DNSError](err)
	return !isDNS || !dns.IsNotFound
}

// Round shortens d for a message.
func Round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
