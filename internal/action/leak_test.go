package action

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
	"github.com/runnertoken/runner-token-action/internal/runnertest"
)

// jwtShape finds anything that looks like a JWT, masked or not: the
// simulator never keeps the JWTs it is sent, so a leak is found by shape.
var jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)

// mintEndpoint says whether r asks for the runner credential itself (as
// opposed to the GitHub App exchange or JIT's listings).
func mintEndpoint(r *http.Request) bool {
	for _, s := range []string{"/registration-token", "/remove-token", "/generate-jitconfig"} {
		if strings.HasSuffix(r.URL.Path, s) {
			return true
		}
	}
	return false
}

// onMint answers the runner-credential requests with f, and lets the rest
// through.
func onMint(f func(w http.ResponseWriter, r *http.Request)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if mintEndpoint(r) {
				f(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// echo is a hostile server: it quotes the credential it was sent back in
// its error message.
func echo(w http.ResponseWriter, r *http.Request) {
	_, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	respond(http.StatusForbidden, `{"message":"credential `+cred+` is not allowed here"}`)(nil).ServeHTTP(w, r)
}

// TestNothingLeaks runs every path, for each kind and each credential type,
// and checks every secret that existed in the run: the credential inputs
// (the private key whole and line by line), the JWTs, the installation
// tokens and the minted tokens and configs. Each must be masked before any
// other use and appear in no log line, annotation, step summary or error
// text but its ::add-mask::; the outputs hold only the minted secret.
func TestNothingLeaks(t *testing.T) {
	t.Parallel()
	escapedKey := strings.ReplaceAll(strings.TrimSpace(appKey().pem), "\n", `\n`)
	credentials := []struct {
		name string
		use  func(h *harness)
	}{
		{"token", func(*harness) {}},
		{"app key with line breaks", func(h *harness) { useApp(h, appKey().pem) }},
		{"app key with \\n escapes", func(h *harness) { useApp(h, escapedKey) }},
	}
	paths := []struct {
		name    string
		setup   func(h *harness, app bool)
		success bool
	}{
		{name: "success", success: true, setup: func(*harness, bool) {}},
		{name: "credential refused", setup: func(h *harness, app bool) {
			if app {
				h.env["INPUT_PRIVATE-KEY"] = otherKey().pem // signs for the wrong app: 401
			} else {
				h.env["INPUT_TOKEN"] = unknownToken
			}
		}},
		{name: "no access to the target", setup: func(h *harness, app bool) {
			if app {
				h.sim.AddRepository("other-org/app") // the app is not installed there
				h.env["INPUT_REPOSITORY"] = "other-org/app"
			} else {
				h.env["INPUT_TOKEN"] = fineGrainedToken
			}
		}},
		{name: "unknown target", setup: func(h *harness, _ bool) { h.env["INPUT_REPOSITORY"] = "octo-org/gone" }},
		{name: "invalid inputs", setup: func(h *harness, _ bool) { h.env["INPUT_API-URL"] = "http://ghes.example.com" }},
		{name: "server errors until it gives up", setup: func(h *harness, _ bool) {
			h.sim.Wrap(onMint(respond(http.StatusBadGateway, `{"message":"Server Error"}`)(nil).ServeHTTP))
		}},
		{name: "rate limit resetting after the deadline", setup: func(h *harness, _ bool) {
			h.sim.Wrap(onMint(func(w http.ResponseWriter, r *http.Request) {
				h.sim.PrimaryRateLimit(time.Now().Add(time.Hour))(w, r)
			}))
		}},
		{name: "server echoes the credential", setup: func(h *harness, _ bool) { h.sim.Wrap(onMint(echo)) }},
		{name: "server echoes the first credential", setup: func(h *harness, _ bool) {
			h.sim.Wrap(func(http.Handler) http.Handler { return http.HandlerFunc(echo) })
		}},
		{name: "success without the credential", setup: func(h *harness, _ bool) {
			h.sim.Wrap(onMint(respond(http.StatusCreated, `{}`)(nil).ServeHTTP))
		}},
		{name: "redirect to another host", setup: func(h *harness, _ bool) {
			other := httptest.NewTLSServer(http.NotFoundHandler())
			h.t.Cleanup(other.Close)
			h.sim.Wrap(onMint(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
			}))
		}},
	}
	for _, cred := range credentials {
		for _, kind := range []string{"registration", "remove", "jit"} {
			for _, path := range paths {
				t.Run(cred.name+"/"+kind+"/"+path.name, func(t *testing.T) {
					t.Parallel()
					h := newHarness(t)
					h.env["INPUT_KIND"] = kind
					cred.use(h)
					app := h.env["INPUT_APP-ID"] != ""
					path.setup(h, app)

					code := h.run()
					if path.success != (code == 0) {
						t.Fatalf("exit code %d: %q", code, h.errors())
					}
					assertNoLeak(t, h, code == 0)
				})
			}
		}
	}
}

func useApp(h *harness, key string) {
	h.sim.AddExampleApp(appKey().key)
	h.set(map[string]string{"INPUT_TOKEN": "", "INPUT_APP-ID": ghsim.ExampleClientID, "INPUT_PRIVATE-KEY": key})
}

// assertNoLeak checks every secret of h's run. Failure messages name the
// kind of secret and the line, never the value.
func assertNoLeak(t *testing.T, h *harness, succeeded bool) {
	t.Helper()
	log := h.stdout.String()

	// Credentials the workflow gave or the run obtained: in the log only in
	// their ::add-mask::, and never in the outputs or the summary.
	var credentials []string
	if tok := h.env["INPUT_TOKEN"]; tok != "" {
		credentials = append(credentials, tok)
	}
	if key := h.env["INPUT_PRIVATE-KEY"]; key != "" {
		checkAppSecrets(t, log, key)
		for _, l := range keySecrets(key) {
			if !strings.HasPrefix(l, "-----") {
				credentials = append(credentials, l)
			}
		}
	}
	credentials = append(credentials, jwtShape.FindAllString(log, -1)...)
	for _, tok := range h.sim.AppTokens() {
		credentials = append(credentials, tok.Token)
	}
	// What the run minted: masked, then in the outputs only.
	var minted []string
	for _, i := range h.sim.Issued() {
		minted = append(minted, i.Token)
	}
	for _, c := range h.sim.JITConfigs() {
		minted = append(minted, c.Config)
	}

	for i, s := range append(credentials, minted...) {
		if i < len(credentials) && h.env["INPUT_PRIVATE-KEY"] != "" && strings.Contains(h.env["INPUT_PRIVATE-KEY"], s) {
			continue // key lines: checked by checkAppSecrets
		}
		if err := runnertest.CheckSecret(log, s); err != nil {
			t.Errorf("secret %d of %d: %v", i+1, len(credentials)+len(minted), err)
		}
	}
	outputs, summary := h.file(h.outFile), h.file(h.sumFile)
	for i, s := range credentials {
		if strings.Contains(outputs, s) || strings.Contains(summary, s) {
			t.Errorf("credential %d is in GITHUB_OUTPUT or the step summary", i+1)
		}
	}
	for i, s := range minted {
		if strings.Contains(summary, s) {
			t.Errorf("minted secret %d is in the step summary", i+1)
		}
	}
	if !succeeded && outputs != "" {
		t.Errorf("a failed run set outputs")
	}
	if succeeded && len(minted) != 1 {
		t.Errorf("a successful run minted %d secrets, want 1", len(minted))
	}
}
