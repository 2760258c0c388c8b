package main

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
)

// faultSpec is one fault of -fault, checked; build makes it once the
// simulator runs (nil: let the request through).
type faultSpec struct {
	name  string
	build func(s *ghsim.Server) ghsim.Fault
}

type jitFaultSpec struct {
	name  string
	fault ghsim.JITFault
}

// faultKind is a fault name -fault accepts, with an optional :ARG.
type faultKind struct {
	name, arg, help string
	build           func(arg string) (func(s *ghsim.Server) ghsim.Fault, error)
}

var faultKinds = []faultKind{
	{"STATUS", "", "an error status from 400 to 599 with GitHub's error body, e.g. 502", nil},
	{"rate-limit", "SECONDS", "the secondary rate limit: 403, with Retry-After: SECONDS if given", func(arg string) (func(*ghsim.Server) ghsim.Fault, error) {
		if arg != "" {
			if _, err := seconds(arg); err != nil {
				return nil, err
			}
		}
		return func(s *ghsim.Server) ghsim.Fault { return s.SecondaryRateLimit(arg) }, nil
	}},
	{"primary-rate-limit", "SECONDS", "the hourly rate limit used up: 403, X-RateLimit-Remaining: 0, reset in SECONDS (default 60)", func(arg string) (func(*ghsim.Server) ghsim.Fault, error) {
		d := time.Minute
		if arg != "" {
			n, err := seconds(arg)
			if err != nil {
				return nil, err
			}
			d = time.Duration(n) * time.Second
		}
		return func(s *ghsim.Server) ghsim.Fault {
			return func(w http.ResponseWriter, r *http.Request) bool { return s.PrimaryRateLimit(s.Now().Add(d))(w, r) }
		}, nil
	}},
	{"reset", "", "drop the connection without an answer", noArg(func(*ghsim.Server) ghsim.Fault { return ghsim.ResetConnection() })},
	{"hang", "", "never answer, until the client gives up", noArg(func(*ghsim.Server) ghsim.Fault { return ghsim.Hang() })},
	{"stall", "", "send the status line and part of the body, then nothing", noArg(func(*ghsim.Server) ghsim.Fault { return ghsim.StallBody() })},
	{"huge", "BYTES", "answer 201 with a JSON body of BYTES (default 16777216)", func(arg string) (func(*ghsim.Server) ghsim.Fault, error) {
		n := 16 << 20
		if arg != "" {
			var err error
			if n, err = strconv.Atoi(arg); err != nil || n < 1 || n > 1<<30 {
				return nil, fmt.Errorf("%q is not a size from 1 to 1073741824 bytes", arg)
			}
		}
		return func(*ghsim.Server) ghsim.Fault { return ghsim.HugeBody(n) }, nil
	}},
	{"not-json", "", "answer 200 with an HTML page, as a proxy's login page does", noArg(func(s *ghsim.Server) ghsim.Fault {
		return s.Answer(http.StatusOK, "<!DOCTYPE html><html><body><h1>Sign in to continue</h1></body></html>")
	})},
	{"none", "", "answer this request normally", noArg(func(*ghsim.Server) ghsim.Fault { return nil })},
}

var jitFaultKinds = []struct {
	name, help string
	fault      ghsim.JITFault
}{
	{"lost", "register the runner, then drop the connection without an answer", ghsim.LoseResponse},
	{"hang", "register the runner, then never answer", ghsim.HangAfterCreate},
	{"502-after", "register the runner, then answer 502", ghsim.ServerErrorAfterCreate},
	{"502-before", "answer 502 and register nothing", ghsim.ServerErrorBeforeCreate},
	{"not-json", "register the runner, then answer 201 with a body that is not JSON", ghsim.GarbageAfterCreate},
	{"wrong-type", "register the runner, then answer 201 with its labels as a string", ghsim.WrongTypeAfterCreate},
}

// faultHelp ends ghsim -h.
var faultHelp = func() string {
	var b strings.Builder
	b.WriteString("\nFaults for -fault (the i-th fault answers the i-th request from any client):\n")
	for _, k := range faultKinds {
		name := k.name
		if k.arg != "" {
			name += "[:" + k.arg + "]"
		}
		fmt.Fprintf(&b, "  %-29s %s\n", name, k.help)
	}
	b.WriteString("\nFaults for -jit-fault (each for the next generate-jitconfig request that passes validation):\n")
	for _, k := range jitFaultKinds {
		fmt.Fprintf(&b, "  %-29s %s\n", k.name, k.help)
	}
	return b.String()
}()

func noArg(build func(*ghsim.Server) ghsim.Fault) func(string) (func(*ghsim.Server) ghsim.Fault, error) {
	return func(arg string) (func(*ghsim.Server) ghsim.Fault, error) {
		if arg != "" {
			return nil, errors.New("takes no :argument")
		}
		return build, nil
	}
}

func seconds(arg string) (int, error) {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 0 || n > 86400 {
		return 0, fmt.Errorf("%q is not a number of seconds from 0 to 86400", arg)
	}
	return n, nil
}

// parseFaults reads a comma-separated -fault list.
func parseFaults(list string) ([]faultSpec, error) {
	var out []faultSpec
	for _, word := range strings.Split(list, ",") {
		word = strings.TrimSpace(word)
		name, arg, _ := strings.Cut(word, ":")
		if code, err := strconv.Atoi(name); err == nil {
			if code < 400 || code > 599 || arg != "" {
				return nil, fmt.Errorf("fault %q: a status fault is a code from 400 to 599, e.g. 502", word)
			}
			out = append(out, faultSpec{word, func(s *ghsim.Server) ghsim.Fault { return s.Status(code, http.StatusText(code)) }})
			continue
		}
		found := false
		for _, k := range faultKinds {
			if k.build == nil || k.name != name {
				continue
			}
			build, err := k.build(arg)
			if err != nil {
				return nil, fmt.Errorf("fault %q: %w", word, err)
			}
			out = append(out, faultSpec{word, build})
			found = true
		}
		if !found {
			return nil, fmt.Errorf("unknown fault %q (known: %s)", word, knownFaults())
		}
	}
	return out, nil
}

func knownFaults() string {
	var names []string
	for _, k := range faultKinds {
		n := k.name
		if k.arg != "" {
			n += "[:" + k.arg + "]"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// parseJITFaults reads a comma-separated -jit-fault list.
func parseJITFaults(list string) ([]jitFaultSpec, error) {
	var out []jitFaultSpec
	for _, word := range strings.Split(list, ",") {
		word = strings.TrimSpace(word)
		found := false
		for _, k := range jitFaultKinds {
			if k.name == word {
				out = append(out, jitFaultSpec{word, k.fault})
				found = true
			}
		}
		if !found {
			var names []string
			for _, k := range jitFaultKinds {
				names = append(names, k.name)
			}
			return nil, fmt.Errorf("unknown JIT fault %q (known: %s)", word, strings.Join(names, ", "))
		}
	}
	return out, nil
}
