package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/runnertoken/runner-token-action/internal/actionbin"
)

type instruction struct {
	cmd   string // lower case, e.g. "from"
	args  []string
	flags []string
	json  bool // exec form, e.g. ENTRYPOINT ["/x"]
}

// parseDockerfile reads the Dockerfile with BuildKit's own parser, the one
// `docker build` uses, so the checks see what the builder sees.
func parseDockerfile(t *testing.T) []instruction {
	t.Helper()
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	var out []instruction
	for _, n := range res.AST.Children {
		in := instruction{cmd: strings.ToLower(n.Value), flags: n.Flags, json: n.Attributes["json"]}
		for a := n.Next; a != nil; a = a.Next {
			in.args = append(in.args, a.Value)
		}
		out = append(out, in)
	}
	return out
}

func TestDockerfileContract(t *testing.T) {
	t.Parallel()
	ins := parseDockerfile(t)

	var froms []instruction
	var run, entrypoint []instruction
	for _, in := range ins {
		switch in.cmd {
		case "from":
			froms = append(froms, in)
		case "run":
			run = append(run, in)
		case "entrypoint":
			entrypoint = append(entrypoint, in)
		case "user":
			t.Errorf("USER %v: container actions run as root; the runner's file-command files need it", in.args)
		}
	}

	if len(froms) < 2 {
		t.Fatalf("%d stages, want a multi-stage build", len(froms))
	}
	// The builder's Go is go.mod's major.minor. go.mod states a minimum
	// (go 1.26.0), the builder is pinned to a patch release by tag and
	// digest, and Dependabot's patch bumps of the image must pass.
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)\.0$`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod's go line is not a minimum of the form go X.Y.0 (a patch pin stops developers on a later patch with GOTOOLCHAIN=local)")
	}
	builder := froms[0].args[0]
	goMinor := regexp.QuoteMeta(string(m[1]) + "." + string(m[2]))
	if !regexp.MustCompile(`^golang:` + goMinor + `\.\d+(-[\w.]+)?@sha256:[0-9a-f]{64}$`).MatchString(builder) {
		t.Errorf("builder image %q is not Go %s.x pinned by patch tag and digest", builder, goMinor)
	}

	// The release cross-compiles: the builder runs on the build machine's
	// platform and go build targets the image's, instead of compiling under
	// QEMU. A plain docker build (the runner's, for @main) gets both from
	// BuildKit as the host platform.
	if !slices.Contains(froms[0].flags, "--platform=$BUILDPLATFORM") {
		t.Errorf("builder stage flags %q lack --platform=$BUILDPLATFORM", froms[0].flags)
	}
	if f := froms[len(froms)-1].flags; len(f) != 0 {
		t.Errorf("final stage has flags %q; it must be the target platform's image", f)
	}

	// The binary is static, with reproducible paths, and stripped.
	var build string
	for _, r := range run {
		if s := strings.Join(r.args, " "); strings.Contains(s, "go build") {
			build = s
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "GOOS=$TARGETOS", "GOARCH=$TARGETARCH", "-trimpath", "-s", "-w"} {
		if !strings.Contains(build, want) {
			t.Errorf("go build %q lacks %s", build, want)
		}
	}
	// TARGETOS and TARGETARCH are only visible in a stage that declares them.
	declared := map[string]bool{}
	for _, in := range ins[stageStart(ins, 0):stageStart(ins, 1)] {
		if in.cmd == "arg" {
			for _, a := range in.args {
				name, _, _ := strings.Cut(a, "=")
				declared[name] = true
			}
		}
	}
	for _, want := range []string{"TARGETOS", "TARGETARCH"} {
		if !declared[want] {
			t.Errorf("the builder stage does not declare ARG %s, so go build would see it empty", want)
		}
	}
	// The tests, the demo and the benchmark build with the same flags.
	unquoted := strings.ReplaceAll(build, `"`, "")
	for _, f := range actionbin.BuildFlags {
		if !strings.Contains(unquoted, f) {
			t.Errorf("go build %q lacks %q, which actionbin.BuildFlags uses", build, f)
		}
	}

	// Every base image is pinned by digest; the final one is the root variant.
	for _, f := range froms {
		if !regexp.MustCompile(`@sha256:[0-9a-f]{64}$`).MatchString(f.args[0]) {
			t.Errorf("FROM %s is not pinned by digest", f.args[0])
		}
		if strings.Contains(f.args[0], ":nonroot") {
			t.Errorf("FROM %s runs as non-root; container actions need root", f.args[0])
		}
	}

	// The final stage copies the binary from the builder and runs it directly.
	final := froms[len(froms)-1].args[0]
	if strings.HasPrefix(final, "golang") {
		t.Errorf("final image %q is a Go toolchain image", final)
	}
	if len(entrypoint) != 1 || !entrypoint[0].json {
		t.Fatalf("ENTRYPOINT %+v, want one, in exec form", entrypoint)
	}
	last := ins[len(ins)-1]
	if last.cmd != "entrypoint" {
		t.Errorf("last instruction is %s, want ENTRYPOINT", last.cmd)
	}
}

// stageStart is the index of the n-th FROM in ins, or len(ins).
func stageStart(ins []instruction, n int) int {
	for i, in := range ins {
		if in.cmd == "from" {
			if n == 0 {
				return i
			}
			n--
		}
	}
	return len(ins)
}
