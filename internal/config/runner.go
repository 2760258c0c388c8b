package config

// The kind-jit inputs: the runner's name, labels, group and work folder,
// checked against GitHub's limits before any request.

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/runnertoken/runner-token-action/internal/target"
)

// GitHub's limits for generate-jitconfig, and where each comes from.
const (
	// MaxNameLength: runner names can only be 64 characters long (the
	// actions/runner maintainers, actions/runner#1710).
	MaxNameLength = 64
	// MaxLabels: the endpoint's published schema ("labels": minItems 1,
	// maxItems 100).
	MaxLabels = 100
	// MaxLabelLength: the runner's own label validator refuses labels
	// longer than 256 characters (actions/runner, Validators.LabelsValidator).
	MaxLabelLength = 256

	// defaultLabel is what a runner gets when runner-labels is not set.
	defaultLabel = "self-hosted"
	// DefaultGroupID and DefaultGroupName are the default runner group:
	// the only group a repository's runners can be in.
	DefaultGroupID   = 1
	DefaultGroupName = "Default"
)

// JITRequest is the runner a JIT config is minted for, validated.
type JITRequest struct {
	// Name is the runner's name.
	Name string
	// Generated is set when this process chose Name (defaultName): it is
	// unique by construction, so a runner with that name can only be one a
	// request of this run created.
	Generated bool
	// Labels are trimmed, de-duplicated case-insensitively, in input order.
	Labels []string
	// Group is the runner group as given; the zero Group is the default.
	Group Group
	// WorkFolder is the runner's work directory, relative to where it is
	// installed.
	WorkFolder string
}

// Group names a runner group by id or by name, as the runner-group input
// does. The zero Group means the target's default group.
type Group struct {
	ID   int64
	Name string
}

// IsDefault says whether g asks for the default group.
func (g Group) IsDefault() bool { return g.ID == 0 && g.Name == "" }

func (g Group) String() string {
	switch {
	case g.ID != 0:
		return fmt.Sprintf("id %d", g.ID)
	case g.Name != "":
		return strconv.Quote(g.Name)
	}
	return "the default group"
}

// parseJIT reads the kind-jit inputs and runner-platform, reporting every
// problem. Without runner-name, the name is chosen here, once, unique to
// this run.
func (in *Inputs) parseJIT(t target.Target) (JITRequest, Platform, error) {
	var (
		r    JITRequest
		errs []error
		err  error
	)
	if in.RunnerName != "" {
		r.Name, err = parseName(in.RunnerName)
		errs = append(errs, err)
	} else {
		r.Name, r.Generated = defaultName(in.WorkflowRepository, in.WorkflowRunID, in.WorkflowRunAttempt, randomSuffix()), true
	}
	r.Labels, err = parseLabels(in.RunnerLabels)
	errs = append(errs, err)
	if r.Group, err = parseGroup(in.RunnerGroup); err == nil && t.Scope == target.Repository {
		err = CheckGroupForRepository(r.Group)
	}
	errs = append(errs, err)
	r.WorkFolder, err = parseWorkFolder(in.WorkFolder)
	errs = append(errs, err)
	p, err := ParsePlatform(in.RunnerPlatform)
	errs = append(errs, err)
	if !p.IsZero() {
		// As config.sh labels the runner it starts on that platform:
		// SystemLabels(p) first, then runner-labels (whose default,
		// self-hosted, is among them), de-duplicated ignoring case, the
		// first spelling kept.
		r.Labels = distinct(append(SystemLabels(p), r.Labels...))
		if len(r.Labels) > MaxLabels {
			errs = append(errs, fmt.Errorf("input runner-labels: %d distinct labels with the %d runner-platform %s adds; GitHub allows at most %d", len(r.Labels), len(SystemLabels(p)), p, MaxLabels))
		}
	}
	return r, p, errors.Join(errs...)
}

// parseName checks a runner name given by the user.
func parseName(s string) (string, error) {
	if s == "" {
		return "", errors.New("input runner-name is empty")
	}
	if n := utf8.RuneCountInString(s); n > MaxNameLength {
		return "", fmt.Errorf("input runner-name is %d characters long; GitHub allows at most %d", n, MaxNameLength)
	}
	for i, r := range []rune(s) {
		if unusable(r) {
			return "", fmt.Errorf("input runner-name %q contains %q (character %d): use letters, digits and punctuation, without spaces", s, r, i+1)
		}
	}
	return s, nil
}

// unusable is what a name or label may not contain: it would not survive
// the log, GITHUB_OUTPUT or a workflow's runs-on unchanged.
func unusable(r rune) bool {
	return unicode.IsSpace(r) || !unicode.IsPrint(r)
}

// defaultName is a runner name unique per run, attempt and process:
// REPO-RUNID-ATTEMPT-SUFFIX, where REPO is the workflow repository's name
// shortened so that the whole stays within MaxNameLength, and suffix is
// random (randomSuffix). Parts that are missing (outside a runner) or not
// what GitHub sets are left out.
func defaultName(workflowRepository, runID, runAttempt, suffix string) string {
	// The name after the owner, if any, in ASCII letters, digits and ._- only.
	repo := notInName.ReplaceAllString(workflowRepository[strings.Index(workflowRepository, "/")+1:], "")
	tail := ""
	if digits(runID) {
		tail += "-" + runID
		if digits(runAttempt) {
			tail += "-" + runAttempt
		}
	}
	tail += "-" + suffix
	repo = repo[:max(0, min(len(repo), MaxNameLength-len(tail)))]
	name := cmp.Or(strings.Trim(repo, ".-_"), "runner") + tail
	return name[max(0, len(name)-MaxNameLength):] // cut only with absurd run ids
}

var notInName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// randomSuffix is 8 random hex digits: 32 bits, so that two runs with the
// same repository, run id and attempt (a re-run on another runner, a
// workflow that calls the action twice) still get different names.
func randomSuffix() string {
	b := make([]byte, 4)
	rand.Read(b) // never fails: it would crash the program first
	return hex.EncodeToString(b)
}

// digits says whether s is 1 to 20 ASCII digits.
func digits(s string) bool {
	return s != "" && len(s) <= 20 && strings.Trim(s, "0123456789") == ""
}

// parseLabels reads runner-labels: labels separated by commas or line
// breaks, each trimmed. An empty entry is refused (naming its position)
// rather than skipped, because it is usually a typo that drops a label the
// workflow's runs-on then waits for forever. Duplicates are removed the way
// GitHub compares labels, ignoring case; the first spelling is kept.
// "" gives the default, defaultLabel.
func parseLabels(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return []string{defaultLabel}, nil
	}
	var (
		labels, errs []string
		entry        int
	)
	lines := strings.Split(s, "\n")
	for lineNo, line := range lines {
		for _, raw := range strings.Split(line, ",") {
			entry++
			where := fmt.Sprintf("entry %d", entry)
			if len(lines) > 1 {
				where += fmt.Sprintf(" (line %d)", lineNo+1)
			}
			l := strings.TrimSpace(raw)
			switch {
			case l == "":
				errs = append(errs, fmt.Sprintf("%s is empty: remove the extra comma or blank line", where))
			case utf8.RuneCountInString(l) > MaxLabelLength:
				errs = append(errs, fmt.Sprintf("%s is %d characters long; GitHub allows at most %d", where, utf8.RuneCountInString(l), MaxLabelLength))
			case strings.ContainsFunc(l, unusable):
				// Quoted cut short: a label can be 256 characters, each up
				// to 10 bytes once quoted, and its start is enough to find it.
				errs = append(errs, fmt.Sprintf("%s %s contains a space or control character: separate labels with commas or line breaks", where, quoteShort(l, 24)))
			default:
				labels = append(labels, l)
			}
		}
	}
	labels = distinct(labels)
	if len(labels) > MaxLabels {
		errs = append(errs, fmt.Sprintf("%d distinct labels; GitHub allows at most %d", len(labels), MaxLabels))
	}
	if len(errs) > maxLabelProblems {
		errs = append(errs[:maxLabelProblems], fmt.Sprintf("and %d more", len(errs)-maxLabelProblems))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("input runner-labels: %s", strings.Join(errs, "; "))
	}
	return labels, nil
}

// maxLabelProblems bounds the error: a pasted blob can have thousands of
// bad entries, and the first few show what is wrong.
const maxLabelProblems = 3

// distinct drops the labels that repeat an earlier one, comparing them as
// GitHub does, ignoring case: the first spelling is kept.
func distinct(labels []string) []string {
	seen := map[string]bool{}
	return slices.DeleteFunc(labels, func(l string) bool {
		dup := seen[strings.ToLower(l)]
		seen[strings.ToLower(l)] = true
		return dup
	})
}

// quoteShort quotes s, cut after its first n characters: enough to find
// it, in a message of bounded size.
func quoteShort(s string, n int) string {
	for i := range s {
		if n == 0 {
			return fmt.Sprintf("%q…", s[:i])
		}
		n--
	}
	return fmt.Sprintf("%q", s)
}

// parseGroup reads runner-group: digits are a group id, anything else a
// group name (at most 256 characters, a sanity bound, not a GitHub rule);
// "" is the default group.
func parseGroup(s string) (Group, error) {
	if s == "" {
		return Group{}, nil
	}
	if digits(s) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			return Group{}, fmt.Errorf("input runner-group %q is not a valid group id: give a group id (1 or more) or a group name", s)
		}
		return Group{ID: id}, nil
	}
	if n := utf8.RuneCountInString(s); n > 256 {
		return Group{}, fmt.Errorf("input runner-group is %d characters long: give a group name or id", n)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return Group{}, fmt.Errorf("input runner-group %q contains a control character or line break", s)
	}
	return Group{Name: s}, nil
}

// parseWorkFolder reads work-folder; "" is the schema's default, _work. Its
// length is bounded at a usual PATH_MAX.
func parseWorkFolder(s string) (string, error) {
	switch {
	case s == "":
		return "_work", nil
	case len(s) > 4096:
		return "", fmt.Errorf("input work-folder is %d bytes long; at most 4096", len(s))
	case strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }):
		return "", fmt.Errorf("input work-folder %q contains a control character or line break", s)
	}
	return s, nil
}

// CheckGroupForRepository refuses, before any request, a group a
// repository's runners cannot be in: only the default group (id 1, named
// "Default") is allowed.
func CheckGroupForRepository(g Group) error {
	if g.IsDefault() || g.ID == DefaultGroupID || strings.EqualFold(g.Name, DefaultGroupName) {
		return nil
	}
	return fmt.Errorf("input runner-group %s: a repository's self-hosted runners are always in its default runner group (id %d); to use runner groups, register the runner for the organization or enterprise instead (input organization or enterprise)", g, DefaultGroupID)
}

// The labels config.sh gives a runner for its OS and architecture
// (actions/runner, VarUtil.OS and VarUtil.OSArchitecture), by GitHub's
// platform names. A just-in-time runner gets none of them unless asked.
var (
	osLabels   = map[string]string{"linux": "Linux", "win": "Windows", "osx": "macOS"}
	archLabels = map[string]string{"x64": "X64", "arm64": "ARM64", "arm": "ARM", "x86": "X86"}
)

// SystemLabels are the labels config.sh adds on platform p: self-hosted,
// then its OS and architecture labels where config.sh has one for them.
func SystemLabels(p Platform) []string {
	return slices.DeleteFunc([]string{defaultLabel, osLabels[p.OS], archLabels[p.Arch]}, func(l string) bool { return l == "" })
}
