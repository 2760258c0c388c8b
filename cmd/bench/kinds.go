package main

// Every kind beyond the registration token, side by side with curl making
// the same HTTP requests in sequence, with the same trust store, in the
// same rounds:
//
//   - jit, runner-group by name: list the groups, generate the config;
//   - a GitHub App: find the installation, get an installation token, mint
//     the registration token, revoke the installation token (curl is handed
//     a JWT signed beforehand: it cannot sign one);
//   - delete-runner by name: list runners by that name, delete the one;
//   - wait for online, one poll: get the runner, which is online.
//
// One curl process per request, as a shell script would run them. Where a
// request needs an earlier answer (a group id, a token, a runner id), the
// harness reads it from curl's output between the processes: within curl's
// time, and cheaper than the jq a script would run.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
)

const benchGroup = "bench-gpu" // the runner group kind jit names

// seq numbers the runners curl registers and the ones registered to be
// deleted, across trust stores: a name is registered once.
var seq atomic.Int64

// kind is one kind's action and its curl counterpart.
type kind struct {
	name     string
	requests int // API requests per run, for both
	action   *subject
	curl     *subject
}

// kindResult is one kind measured in one trust store.
type kindResult struct {
	kind, store  string
	action, curl *subject
	requests     int
}

// setUpKinds gives the simulator what every kind needs: the organization,
// its runner group and the App installed on octo-org. It returns the
// App's private key (PEM) and its key for signing curl's JWT.
func setUpKinds(sim *ghsim.Server) (pemText string, sign func() (string, error), err error) {
	sim.AddOrganization("octo-org")
	sim.SetRunnerGroups("orgs/octo-org",
		ghsim.RunnerGroup{ID: 1, Name: "Default", Default: true, Visibility: "all"},
		ghsim.RunnerGroup{ID: 2, Name: benchGroup, Visibility: "all"})
	key, pemText, err := ghsim.NewAppKey()
	if err != nil {
		return "", nil, err
	}
	sim.AddExampleApp(key)
	sign = func() (string, error) {
		now := time.Now()
		return jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
			"iss": strconv.Itoa(ghsim.ExampleAppID),
			"iat": now.Add(-time.Minute).Unix(),
			"exp": now.Add(9 * time.Minute).Unix(), // GitHub allows 10
		}).SignedString(key)
	}
	return pemText, sign, nil
}

// kinds builds the action and curl subjects of every kind for sc.
func kinds(sc scenario, dir, binary, curl string, sim *ghsim.Server, pemText, jwtToken string) ([]kind, error) {
	api := sim.URL()
	c := curler{curl: curl, caFile: sc.caFile, home: dir}
	var out []kind

	// jit, runner-group by name.
	jitStep, err := newStep(filepath.Join(dir, "jit-step"), sc, map[string]string{"token": token, "api-url": api, "kind": "jit", "organization": "octo-org", "runner-group": benchGroup})
	if err != nil {
		return nil, err
	}
	out = append(out, kind{
		name: "jit (runner-group by name)", requests: 2,
		action: &subject{name: "action", cmd: stepRun(jitStep, binary), check: func() error {
			_, err := hasOutputs(jitStep, "jit-config", "runner-id")
			return err
		}},
		curl: &subject{name: "curl", run: func(ctx context.Context) error {
			var groups struct {
				RunnerGroups []struct {
					ID   int64  `json:"id"`
					Name string `json:"name"`
				} `json:"runner_groups"`
			}
			if err := c.do(ctx, "GET", api+"/orgs/octo-org/actions/runner-groups?page=1&per_page=100", token, "", &groups); err != nil {
				return err
			}
			id := int64(0)
			for _, g := range groups.RunnerGroups {
				if g.Name == benchGroup {
					id = g.ID
				}
			}
			body := fmt.Sprintf(`{"name":"curl-%d","runner_group_id":%d,"work_folder":"_work","labels":["self-hosted"]}`, seq.Add(1), id)
			return c.do(ctx, "POST", api+"/orgs/octo-org/actions/runners/generate-jitconfig", token, body, nil)
		}},
	})

	// A GitHub App, minting a registration token for octo-org/app.
	appStep, err := newStep(filepath.Join(dir, "app-step"), sc, map[string]string{"token": "", "app-id": strconv.Itoa(ghsim.ExampleAppID), "private-key": pemText, "api-url": api, "kind": "registration"})
	if err != nil {
		return nil, err
	}
	out = append(out, kind{
		name: "GitHub App (installation, token, mint, revoke)", requests: 4,
		action: &subject{name: "action", cmd: stepRun(appStep, binary), check: func() error {
			if _, err := hasOutputs(appStep, "token", "installation-id"); err != nil {
				return err
			}
			// The installation token is revoked once the runner token is minted.
			if reqs := sim.Requests(); len(reqs) == 0 || reqs[len(reqs)-1].Method != http.MethodDelete || !strings.HasSuffix(reqs[len(reqs)-1].Path, "/installation/token") {
				return errors.New("the last request was not the installation token's revocation")
			}
			return nil
		}},
		curl: &subject{name: "curl", run: func(ctx context.Context) error {
			var inst struct {
				ID int64 `json:"id"`
			}
			if err := c.do(ctx, "GET", api+"/repos/octo-org/app/installation", jwtToken, "", &inst); err != nil {
				return err
			}
			var it struct {
				Token string `json:"token"`
			}
			if err := c.do(ctx, "POST", fmt.Sprintf("%s/app/installations/%d/access_tokens", api, inst.ID), jwtToken,
				`{"repositories":["app"],"permissions":{"administration":"write"}}`, &it); err != nil {
				return err
			}
			if err := c.do(ctx, "POST", api+"/repos/octo-org/app/actions/runners/registration-token", it.Token, "", nil); err != nil {
				return err
			}
			return c.do(ctx, "DELETE", api+"/installation/token", it.Token, "", nil)
		}},
	})

	// delete-runner by name: each run removes a runner registered for it,
	// outside the time measured.
	deleteStep, err := newStep(filepath.Join(dir, "delete-step"), sc, map[string]string{"token": token, "api-url": api, "kind": "delete-runner", "organization": "octo-org"})
	if err != nil {
		return nil, err
	}
	register := func(prefix string) string {
		name := fmt.Sprintf("%s-%d", prefix, seq.Add(1))
		sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: name, Status: "offline", Labels: []string{"self-hosted"}})
		return name
	}
	var curlRunner string
	out = append(out, kind{
		name: "delete-runner by name (list, delete)", requests: 2,
		action: &subject{name: "action", cmd: stepRun(deleteStep, binary),
			prepare: func() error { deleteStep.SetInput("runner-name", register("vm")); return nil },
			check: func() error {
				o, err := hasOutputs(deleteStep, "runner-id")
				if err == nil && o["deleted"] != "true" {
					err = errors.New("the runner was not deleted")
				}
				return err
			}},
		curl: &subject{name: "curl",
			prepare: func() error { curlRunner = register("curl-vm"); return nil },
			run: func(ctx context.Context) error {
				var list struct {
					Runners []struct {
						ID   int64  `json:"id"`
						Name string `json:"name"`
					} `json:"runners"`
				}
				if err := c.do(ctx, "GET", api+"/orgs/octo-org/actions/runners?name="+curlRunner+"&page=1&per_page=100", token, "", &list); err != nil {
					return err
				}
				if len(list.Runners) != 1 {
					return fmt.Errorf("%d runners named %s", len(list.Runners), curlRunner)
				}
				return c.do(ctx, "DELETE", fmt.Sprintf("%s/orgs/octo-org/actions/runners/%d", api, list.Runners[0].ID), token, "", nil)
			}},
	})

	// wait for online, one poll: the runner is online at the first look.
	online := sim.AddRunner("orgs/octo-org", ghsim.Runner{Name: fmt.Sprintf("online-%d", seq.Add(1)), Status: "online", Labels: []string{"self-hosted"}})
	onlineID := strconv.FormatInt(online.ID, 10)
	waitStep, err := newStep(filepath.Join(dir, "wait-step"), sc, map[string]string{"token": token, "api-url": api, "kind": "wait", "organization": "octo-org", "runner-id": onlineID, "wait-for": "online"})
	if err != nil {
		return nil, err
	}
	out = append(out, kind{
		name: "wait for online, one poll (get the runner)", requests: 1,
		action: &subject{name: "action", cmd: stepRun(waitStep, binary), check: func() error {
			o, err := hasOutputs(waitStep, "runner-id", "runner-status")
			if err == nil && o["runner-status"] != "online" {
				err = errors.New("the runner was not seen online")
			}
			return err
		}},
		curl: &subject{name: "curl", run: func(ctx context.Context) error {
			return c.do(ctx, "GET", api+"/orgs/octo-org/actions/runners/"+onlineID, token, "", nil)
		}},
	})
	for _, k := range out {
		if k.curl.check == nil {
			k.curl.check = func() error { return nil }
		}
	}
	return out, nil
}

// curler runs one curl process per request, trusting caFile only.
type curler struct{ curl, caFile, home string }

// do makes one request and, if into is set, decodes the answer into it.
func (c curler) do(ctx context.Context, method, url, bearer, body string, into any) error {
	args := []string{"-sS", "--fail", "--cacert", c.caFile, "-X", method,
		"-H", "Authorization: Bearer " + bearer, "-H", "Accept: application/vnd.github+json"}
	if body != "" {
		args = append(args, "-H", "Content-Type: application/json", "--data", body)
	}
	cmd := exec.CommandContext(ctx, c.curl, append(args, url)...)
	cmd.Env = []string{"HOME=" + c.home}
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		// Never the command line: it holds the credential.
		return fmt.Errorf("curl %s %s: %w: %s", method, strings.TrimPrefix(url, "https://"), err, strings.TrimSpace(stderr.String()))
	}
	if into == nil {
		return nil
	}
	return json.Unmarshal(out.Bytes(), into)
}

// measureKinds measures every kind in every trust store.
func measureKinds(ctx context.Context, rounds int, dir, binary, curl string, sim *ghsim.Server, scenarios []scenario) ([]kindResult, error) {
	pemText, sign, err := setUpKinds(sim)
	if err != nil {
		return nil, err
	}
	var results []kindResult
	for i, sc := range scenarios {
		jwtToken, err := sign() // beforehand, for curl: made once, for the rounds
		if err != nil {
			return nil, err
		}
		ks, err := kinds(sc, filepath.Join(dir, "kinds-"+strconv.Itoa(i)), binary, curl, sim, pemText, jwtToken)
		if err != nil {
			return nil, err
		}
		for _, k := range ks {
			if err := measureRounds(ctx, rounds, sim, k.action, k.curl); err != nil {
				return nil, fmt.Errorf("%s: %w", k.name, err)
			}
			results = append(results, kindResult{kind: k.name, store: sc.name, action: k.action, curl: k.curl, requests: k.requests})
		}
	}
	return results, nil
}

// reportKinds prints one row per kind and trust store, and whether each
// meets the goal.
func reportKinds(w io.Writer, results []kindResult) bool {
	fmt.Fprintf(w, "\nEvery kind, side by side with curl making the same requests in sequence (one process each)\n\n")
	fmt.Fprintf(w, "| kind | trust store | action median (p10 to p90) | curl median (p10 to p90) | ratio (goal ≤ %.1fx) | API requests per run, action / curl |\n", maxRatio)
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	all := true
	for _, r := range results {
		ratio := float64(median(r.action.times)) / float64(median(r.curl.times))
		ar, cr := perRun(r.action), perRun(r.curl)
		met := ratio <= maxRatio && ar == float64(r.requests) && cr == float64(r.requests)
		all = all && met
		fmt.Fprintf(w, "| %s | %s | %s (%s to %s) | %s (%s to %s) | %.2fx: %s | %.0f / %.0f (goal %d) |\n", r.kind, r.store,
			ms(median(r.action.times)), ms(pct(r.action.times, 10)), ms(pct(r.action.times, 90)),
			ms(median(r.curl.times)), ms(pct(r.curl.times, 10)), ms(pct(r.curl.times, 90)),
			ratio, verdict(met), ar, cr, r.requests)
	}
	return all
}

func perRun(s *subject) float64 { return float64(s.requests) / float64(len(s.times)) }
