// Command ghsim is a local HTTPS GitHub REST API simulator for testing
// workflows that use runnertoken/runner-token-action, without a credential
// and without reaching GitHub. It serves everything the action calls, for
// repositories, organizations and enterprises: registration and remove
// tokens, just-in-time runner configs, runners (listed, fetched and
// deleted; deleting a busy one answers 422), runner groups, the runner
// downloads list, and GitHub App installations, installation tokens and
// their revocation, with GitHub's paths, status codes, headers and error
// bodies. It runs until interrupted.
//
// Build it first (at a commit until a release is tagged, then @v1), start
// it in the background from a workflow step, where a container action
// (which runs on Docker's bridge network) can reach it, and wait for
// -url-file, which it writes last; $! is then the simulator, to stop:
//
//	export SIM_TOKEN=$(openssl rand -hex 20)   # the one credential it accepts
//	echo "::add-mask::$SIM_TOKEN"; echo "SIM_TOKEN=$SIM_TOKEN" >> "$GITHUB_ENV"
//	GOBIN="$RUNNER_TEMP" go install github.com/runnertoken/runner-token-action/cmd/ghsim@COMMIT
//	"$RUNNER_TEMP/ghsim" \
//	    -interface docker0 -ca-file "$GITHUB_WORKSPACE/ghsim-ca.pem" \
//	    -github-env "$GITHUB_ENV" -url-file "$RUNNER_TEMP/ghsim-url" &
//
// The credential comes from the environment variable -token-env names
// (SIM_TOKEN), never from a flag, and has admin rights on every target.
// Nothing secret is printed: tokens go only to -issued-file, the App's
// private key only to -app-key-file (both mode 0600).
//
// # Where it listens
//
// By default on a free loopback port (-listen 127.0.0.1:0). -interface
// docker0 listens on the Docker bridge's address instead and puts it in
// the certificate and the URL (with -listen :8443 for a fixed port);
// -listen 0.0.0.0:8443 -host 172.17.0.1 does the same by hand. -base
// /api/v3 (the default) mounts the API as on GHES; -base / as on
// api.github.com.
//
// # What it writes
//
// -ca-file writes its CA certificate (PEM); set SSL_CERT_FILE to it in the
// action step's env:, not for the whole job, where it would replace the
// trust store of every later step. Write it under $GITHUB_WORKSPACE: the
// runner rewrites that host path to /github/workspace for a container
// action, and nothing else of the host's is in the container. -url-file writes the API URL.
// -github-env "$GITHUB_ENV" appends, for later steps:
//
//	GHSIM_API_URL=https://172.17.0.1:PORT/api/v3   # for api-url
//	GHSIM_CA_FILE=/abs/path/ghsim-ca.pem            # for SSL_CERT_FILE
//	GHSIM_APP_ID=424242                              # with -app-key-file
//	GHSIM_APP_KEY_FILE=/abs/path/app.pem             # with -app-key-file
//
// -issued-file appends one line per credential minted: KIND TARGET VALUE,
// KIND being registration, remove, jit or installation.
//
// # What it has
//
// The repository octo-org/app, the organization octo-org and the
// enterprise octo-ent always exist; -repository, -organization and
// -enterprise add more, as does naming a target in the flags below:
//
//	-repository my-org/my-repo -organization my-org -enterprise my-ent
//	-runner organization=my-org,name=stale-vm-1                   # offline, labels self-hosted
//	-runner repository=my-org/my-repo,name=build-2,busy,label=self-hosted,label=gpu,os=Linux
//	-runner organization=my-org,name=gpu-1,status=online,group=gpu-runners
//	-runner-group organization=my-org,name=gpu-runners          # id 2, the next free one
//	-runner-group enterprise=my-ent,name=shared,id=7,inherited
//
// Runner ids count up from 41, in the order runners are registered:
// pre-registered ones first, in flag order. Every organization and
// enterprise has the Default group (id 1).
//
// -app-key-file app.pem registers a GitHub App, ID 424242 (Client ID
// Iv23liSimulatorApp01), generates its private key and writes it there;
// -app-installation installs it with Administration and Self-hosted
// runners write, with installation ids from 7000001 in flag order:
//
//	-app-key-file "$RUNNER_TEMP/app.pem" -app-installation organization=my-org
//	-app-installation repository=my-org/my-repo   # on my-org, that repository only
//
// # Tokens
//
// With -deterministic (the default), every run mints the same values, so
// a workflow can assert on them. N counts from 1 for each kind and target;
// TARGET is repos/OWNER/NAME, orgs/LOGIN or enterprises/SLUG, in lower case:
//
//	registration and remove tokens   ghsim-KIND-N-TARGET, e.g. ghsim-registration-1-orgs/my-org
//	JIT configs                      the same for the same runner, credentials derived from ghsim-jit-N-TARGET
//	installation tokens              ghs_ghsim-installation-N-ID
//
// -deterministic=false mints random ones, shaped like GitHub's. Expiry
// times are an hour from the time of minting.
//
// # Faults
//
// -fault answers the next requests, from any client, one fault each, in
// order; -jit-fault fails the next generate-jitconfig requests that pass
// validation. ghsim -h lists the names:
//
//	-fault 502,reset,rate-limit:1          # then every request succeeds
//	-fault none,primary-rate-limit:30      # the second request finds the rate limit used up
//	-jit-fault lost                        # registers the runner, loses the answer
//
// # Many jobs at once
//
// -secondary-limit plays GitHub's secondary rate limits, to see how a
// fleet that starts many jobs at once with one credential fares: a budget
// of points a minute per credential (GitHub's is 900; a GET costs 1, a
// POST 5), a token bucket holding one second's worth, and over it 403 with
// GitHub's message and Retry-After (60 s unless retry-after= says):
//
//	-secondary-limit 900                          # GitHub's numbers: 180 tokens a minute
//	-secondary-limit 300,retry-after=1,concurrency=100,burst=25
//
// Run ghsim -h for every flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ghsim:", err)
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 for flags refused before serving, as Go's flag package
// exits, and 1 for anything else.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// The permissions -app-installation grants: what the action asks for.
var appPermissions = map[string]string{"administration": "write", "organization_self_hosted_runners": "write", "metadata": "read"}

func run(ctx context.Context, args []string, getenv func(string) string, w io.Writer) error {
	c, err := parse(args, w)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w (see ghsim -h)", err)
	}
	token := getenv(c.tokenEnv)
	if token == "" {
		return fmt.Errorf("set %s to the credential the simulator should accept", c.tokenEnv)
	}
	listen, host, err := c.address()
	if err != nil {
		return err
	}

	opts := []ghsim.Option{ghsim.WithListenAddr(listen), ghsim.WithHosts(host)}
	if c.deterministic {
		opts = append(opts, ghsim.WithDeterministicTokens())
	}
	sim, err := ghsim.New(c.base, opts...)
	if err != nil {
		return err
	}
	defer sim.Close()
	summary, err := c.populate(sim, token)
	if err != nil {
		return err
	}
	if c.issuedFile != "" {
		sim.OnIssue(appendIssued(c.issuedFile))
	}

	_, port, err := net.SplitHostPort(sim.Addr())
	if err != nil {
		return err
	}
	url := "https://" + net.JoinHostPort(host, port) + strings.TrimSuffix(c.base, "/")
	if err := c.writeFiles(sim, url); err != nil {
		return err
	}
	fmt.Fprintf(w, "GitHub API simulator at %s\n%s", url, summary)
	<-ctx.Done()
	return nil
}

// address is where to listen and the host clients use.
func (c *config) address() (listen, host string, err error) {
	if c.iface != "" {
		ip, err := interfaceIPv4(c.iface)
		if err != nil {
			return "", "", err
		}
		port := "0"
		if c.listenSet {
			_, port, _ = net.SplitHostPort(c.listen)
		}
		return net.JoinHostPort(ip, port), ip, nil
	}
	host = c.host
	if host == "" {
		host, _, _ = net.SplitHostPort(c.listen)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return "", "", errors.New("listening on all addresses: say with -host which address clients use, or use -interface")
	}
	return c.listen, host, nil
}

// interfaceIPv4 is the first IPv4 address of the network interface name.
func interfaceIPv4(name string) (string, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		hint := ""
		if name == "docker0" {
			hint = " (docker0 is Docker's default bridge, where container actions reach the host: is Docker installed and running?)"
		}
		return "", fmt.Errorf("-interface %s: no such network interface on this machine%s", name, hint)
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return "", fmt.Errorf("-interface %s: %w", name, err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			return n.IP.String(), nil
		}
	}
	return "", fmt.Errorf("-interface %s has no IPv4 address", name)
}

// populate gives sim its targets, credential, runner groups, runners, App
// and faults, and returns the lines that say so.
func (c *config) populate(sim *ghsim.Server, token string) (string, error) {
	var b strings.Builder
	sim.AddExampleTargets()
	admin := []string{"octo-org/app", "octo-org", "enterprises/octo-ent"}
	for _, t := range c.targets {
		kind, name, _ := strings.Cut(t, "/")
		switch kind {
		case "repos":
			sim.AddRepository(name)
			admin = append(admin, name)
		case "orgs":
			sim.AddOrganization(name)
			admin = append(admin, name)
		case "enterprises":
			sim.AddEnterprise(name)
			admin = append(admin, t)
		}
	}
	sim.AddCredential("admin", token, ghsim.Credential{Type: ghsim.ClassicPAT, Admin: admin})
	fmt.Fprintf(&b, "targets: repos/octo-org/app, orgs/octo-org, enterprises/octo-ent")
	for _, t := range c.targets {
		if t != "repos/octo-org/app" && t != "orgs/octo-org" && t != "enterprises/octo-ent" {
			fmt.Fprintf(&b, ", %s", t)
		}
	}
	b.WriteString("\n")

	groups := map[string][]ghsim.RunnerGroup{}
	var order []string
	for _, g := range c.groups {
		if groups[g.target] == nil {
			order = append(order, g.target)
			groups[g.target] = []ghsim.RunnerGroup{{ID: 1, Name: "Default", Default: true, Visibility: "all"}}
		}
		groups[g.target] = append(groups[g.target], g.RunnerGroup)
		fmt.Fprintf(&b, "runner group %d %q in %s\n", g.ID, g.Name, g.target)
	}
	for _, t := range order {
		sim.SetRunnerGroups(t, groups[t]...)
	}
	for _, r := range c.runners {
		got := sim.AddRunner(r.target, r.Runner)
		busy := ""
		if got.Busy {
			busy = ", busy"
		}
		fmt.Fprintf(&b, "runner %d %q in %s (%s%s, group %d, labels %s)\n", got.ID, got.Name, r.target, got.Status, busy, got.GroupID, strings.Join(got.Labels, ","))
	}

	if c.appKeyFile != "" {
		key, pemText, err := ghsim.NewAppKey()
		if err != nil {
			return "", err
		}
		if err := writePrivate(c.appKeyFile, []byte(pemText)); err != nil {
			return "", err
		}
		sim.AddApp(ghsim.App{ID: ghsim.ExampleAppID, ClientID: ghsim.ExampleClientID, PublicKey: &key.PublicKey})
		fmt.Fprintf(&b, "GitHub App %d (Client ID %s), private key in %s\n", ghsim.ExampleAppID, ghsim.ExampleClientID, c.appKeyFile)
		for i, in := range c.installs {
			id := int64(ghsim.ExampleInstallationID + i)
			inst := ghsim.AppInstallation{ID: id, AppID: ghsim.ExampleAppID, Account: in.account, Permissions: appPermissions}
			on := "all repositories"
			if !in.all {
				inst.Repositories = in.repos
				on = "repositories " + strings.Join(in.repos, ", ")
			}
			sim.AddAppInstallation(inst)
			fmt.Fprintf(&b, "App installation %d on %s (%s)\n", id, in.account, on)
		}
	}

	if len(c.faults) > 0 {
		var faults []ghsim.Fault
		var names []string
		for _, f := range c.faults {
			faults = append(faults, f.build(sim))
			names = append(names, f.name)
		}
		sim.Inject(faults...)
		fmt.Fprintf(&b, "faults for the next %d requests: %s\n", len(faults), strings.Join(names, ","))
	}
	if len(c.jitFaults) > 0 {
		var faults []ghsim.JITFault
		var names []string
		for _, f := range c.jitFaults {
			faults = append(faults, f.fault)
			names = append(names, f.name)
		}
		sim.FailJIT(faults...)
		fmt.Fprintf(&b, "faults for the next %d JIT configs: %s\n", len(faults), strings.Join(names, ","))
	}
	if c.secondary.PointsPerMinute > 0 {
		sim.LimitSecondary(c.secondary)
		b.WriteString(describeSecondary(c.secondary))
	}
	if c.deterministic {
		b.WriteString("tokens: deterministic (see go doc github.com/runnertoken/runner-token-action/cmd/ghsim)\n")
	} else {
		b.WriteString("tokens: random\n")
	}
	return b.String(), nil
}

// writeFiles writes the CA, the lines for GITHUB_ENV and, last, the URL.
func (c *config) writeFiles(sim *ghsim.Server, url string) error {
	if c.caFile != "" {
		if err := os.WriteFile(c.caFile, sim.CACertPEM(), 0o644); err != nil {
			return err
		}
	}
	if c.githubEnv != "" {
		ca, err := filepath.Abs(c.caFile)
		if err != nil {
			return err
		}
		lines := "GHSIM_API_URL=" + url + "\nGHSIM_CA_FILE=" + ca + "\n"
		if c.appKeyFile != "" {
			key, err := filepath.Abs(c.appKeyFile)
			if err != nil {
				return err
			}
			lines += fmt.Sprintf("GHSIM_APP_ID=%d\nGHSIM_APP_KEY_FILE=%s\n", ghsim.ExampleAppID, key)
		}
		if err := appendFile(c.githubEnv, lines, 0o644); err != nil {
			return err
		}
	}
	// The URL file comes last: scripts wait for it as the sign of readiness.
	if c.urlFile != "" {
		if err := os.WriteFile(c.urlFile, []byte(url+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// appendIssued appends each minted credential to path, one line each.
func appendIssued(path string) func(ghsim.Issued) {
	var mu sync.Mutex
	return func(i ghsim.Issued) {
		mu.Lock()
		defer mu.Unlock()
		if err := appendFile(path, fmt.Sprintf("%s %s %s\n", i.Kind, i.Target, i.Token), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "ghsim:", err)
		}
	}
}

func appendFile(path, text string, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writePrivate writes a file only its owner may read, whatever was there.
func writePrivate(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
