package ghsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Fault answers one request badly. It returns false to let the request
// through to the real handler instead.
type Fault func(w http.ResponseWriter, r *http.Request) bool

// Inject gives the i-th request from now on the i-th fault; requests after
// the last fault, and nil faults, are answered normally. It replaces any
// middleware set with Wrap.
func (s *Server) Inject(faults ...Fault) {
	var mu sync.Mutex
	n := 0
	s.Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			var f Fault
			if n < len(faults) {
				f = faults[n]
			}
			n++
			mu.Unlock()
			if f == nil || !f(w, r) {
				next.ServeHTTP(w, r)
			}
		})
	})
}

// Status answers with status and GitHub's error body carrying msg, plus any
// "Name: value" headers.
func (s *Server) Status(status int, msg string, headers ...string) Fault {
	extra := http.Header{}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		extra.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return func(w http.ResponseWriter, _ *http.Request) bool {
		s.writeErrorWith(w, status, msg, "https://docs.github.com/rest", extra)
		return true
	}
}

// SecondaryRateLimit is GitHub's answer to too many requests at once: 403
// with a Retry-After (seconds; "" for none) and its message.
func (s *Server) SecondaryRateLimit(retryAfter string) Fault {
	return func(w http.ResponseWriter, _ *http.Request) bool {
		extra := http.Header{}
		if retryAfter != "" {
			extra.Set("Retry-After", retryAfter)
		}
		s.writeErrorWith(w, http.StatusForbidden,
			"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits", extra)
		return true
	}
}

// PrimaryRateLimit is GitHub's answer once the hourly limit is used up: 403
// with X-RateLimit-Remaining 0 and the reset time.
func (s *Server) PrimaryRateLimit(reset time.Time) Fault {
	return func(w http.ResponseWriter, _ *http.Request) bool {
		s.headers(w)
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Used", "5000")
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(reset.Unix()))
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api","status":"403"}`)
		return true
	}
}

// ResetConnection drops the connection without answering, after the request
// arrived: the client cannot tell whether it was acted on.
func ResetConnection() Fault {
	return func(w http.ResponseWriter, _ *http.Request) bool {
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("ghsim: ResetConnection needs HTTP/1.1")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
		return true
	}
}

// Hang never answers; it drops the connection when the client gives up or
// the server closes.
func Hang() Fault {
	return func(_ http.ResponseWriter, r *http.Request) bool {
		<-r.Context().Done()
		panic(http.ErrAbortHandler)
	}
}

// StallBody sends the status line and part of a body, then stops, as a
// server that dies mid-answer; the body never ends.
func StallBody() Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"token":"AAAA`)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		<-r.Context().Done()
		panic(http.ErrAbortHandler)
	}
}

// HugeBody answers 201 with a JSON body of about size bytes.
func HugeBody(size int) Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"token":"`)
		chunk := strings.Repeat("A", 64<<10)
		for written := 0; written < size && r.Context().Err() == nil; written += len(chunk) {
			if _, err := fmt.Fprint(w, chunk); err != nil {
				return true
			}
		}
		fmt.Fprint(w, `","expires_at":"2026-11-25T15:00:00.000+00:00"}`)
		return true
	}
}

// Canned is a transport that answers every request with status and a JSON
// body, without a server: fuzzers use it to feed GitHub's answers straight
// into the decoding path, thousands of times a second.
func Canned(status int, body string) http.RoundTripper { return canned{status, body} }

type canned struct {
	status int
	body   string
}

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode:    c.status,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:          io.NopCloser(strings.NewReader(c.body)),
		ContentLength: int64(len(c.body)),
		Request:       r,
	}, nil
}

// EveryOther answers every other request from now on (the first, the
// third, …) with f, as a server does that limits a herd of clients. It
// replaces any middleware set with Wrap.
func (s *Server) EveryOther(f Fault) {
	var mu sync.Mutex
	n := 0
	s.Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			n++
			odd := n%2 == 1
			mu.Unlock()
			if odd && f(w, r) {
				return
			}
			next.ServeHTTP(w, r)
		})
	})
}

// Answer answers with status and body exactly as given, with GitHub's
// headers: a body that is not JSON, or JSON of the wrong shape.
func (s *Server) Answer(status int, body string) Fault {
	return func(w http.ResponseWriter, _ *http.Request) bool {
		s.headers(w)
		w.WriteHeader(status)
		fmt.Fprint(w, body)
		return true
	}
}

// ValidationFailed answers 422 with n error details, as GitHub does for a
// body it refuses on many counts.
func (s *Server) ValidationFailed(n int) Fault {
	errs := make([]fieldError, n)
	for i := range errs {
		errs[i] = fieldError{"Runner", "labels", "invalid", fmt.Sprintf("Label %d is not allowed here", i+1)}
	}
	return func(w http.ResponseWriter, _ *http.Request) bool {
		s.writeValidationFailed(w, errs, "https://docs.github.com/rest")
		return true
	}
}

// Tamper serves the request as usual, then lets edit change the JSON
// answer (status and headers stay): a field of the wrong type, one left
// out, or hostile text where GitHub would put a name. Whatever the request
// did on the server (registered a runner, issued a token) stays done.
func (s *Server) Tamper(edit func(answer map[string]any)) Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		rec := httptest.NewRecorder()
		s.mux.ServeHTTP(rec, r)
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err == nil {
			edit(answer)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_ = json.NewEncoder(w).Encode(answer)
		return true
	}
}

// ExhaustRateLimit serves the request as usual, but its answer says it
// used the last request of the rate limit, which resets at reset (the
// next request would be refused until then).
func (s *Server) ExhaustRateLimit(reset time.Time) Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		s.mux.ServeHTTP(&exhausted{ResponseWriter: w, reset: reset}, r)
		return true
	}
}

type exhausted struct {
	http.ResponseWriter
	reset time.Time
}

func (e *exhausted) WriteHeader(status int) {
	e.Header().Set("X-RateLimit-Remaining", "0")
	e.Header().Set("X-RateLimit-Used", "5000")
	e.Header().Set("X-RateLimit-Reset", fmt.Sprint(e.reset.Unix()))
	e.ResponseWriter.WriteHeader(status)
}

// AppliedThen serves the request as usual, so that what it does stays
// done (a runner removed, a token issued), then loses the answer: the
// client gets the fault's answer instead, e.g. ResetConnection() or
// s.Status(502, ...).
func (s *Server) AppliedThen(f Fault) Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		s.mux.ServeHTTP(httptest.NewRecorder(), r)
		return f(w, r)
	}
}
