package config

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLabels(t *testing.T) {
	t.Parallel()
	hundred := make([]string, 100)
	for i := range hundred {
		hundred[i] = fmt.Sprintf("l%d", i)
	}
	cases := []struct {
		name    string
		in      string
		want    []string
		wantErr []string
	}{
		{name: "default", in: "", want: []string{"self-hosted"}},
		{name: "blank is the default", in: " \n ", want: []string{"self-hosted"}},
		{name: "one", in: "gpu", want: []string{"gpu"}},
		{name: "commas, trimmed", in: " self-hosted , linux,x64 ", want: []string{"self-hosted", "linux", "x64"}},
		{name: "lines", in: "self-hosted\nlinux\r\nx64", want: []string{"self-hosted", "linux", "x64"}},
		{name: "commas and lines", in: "a, b\nc", want: []string{"a", "b", "c"}},
		{name: "duplicates ignoring case, first spelling kept", in: "Linux,GPU,linux,gpu,LINUX", want: []string{"Linux", "GPU"}},
		{name: "punctuation kept", in: "team:ml,gpu.a100,arm64_v8,x-y", want: []string{"team:ml", "gpu.a100", "arm64_v8", "x-y"}},
		{name: "100 labels", in: strings.Join(hundred, ","), want: hundred},
		{name: "100 labels after de-duplication", in: strings.Join(hundred, ",") + ",L0,l1", want: hundred},
		{name: "256 characters", in: strings.Repeat("é", 256), want: []string{strings.Repeat("é", 256)}},

		{name: "empty between commas", in: "a,,b", wantErr: []string{"entry 2 is empty"}},
		{name: "leading comma", in: ",a", wantErr: []string{"entry 1 is empty"}},
		{name: "trailing comma", in: "a,b,", wantErr: []string{"entry 3 is empty"}},
		{name: "blank line", in: "a\n\nb", wantErr: []string{"entry 2 (line 2) is empty"}},
		{name: "comma at a line's end", in: "a,\nb", wantErr: []string{"entry 2 (line 1) is empty"}},
		{name: "space inside", in: "linux,full build", wantErr: []string{`entry 2 "full build" contains a space`, "separate labels with commas"}},
		{name: "tab inside", in: "a\tb", wantErr: []string{"contains a space or control character"}},
		{name: "too long", in: "ok," + strings.Repeat("x", 257), wantErr: []string{"entry 2 is 257 characters long; GitHub allows at most 256"}},
		{name: "101 labels", in: strings.Join(hundred, ",") + ",extra", wantErr: []string{"101 distinct labels; GitHub allows at most 100"}},
		{name: "many problems, the first three named", in: "a b,,c\td,,,", wantErr: []string{`entry 1 "a b" contains a space`, "entry 2 is empty", `entry 3 "c\td" contains`, "; and 3 more"}},
		{name: "a long bad label, its start quoted", in: "ok," + strings.Repeat("x", 30) + " y", wantErr: []string{`entry 2 "xxxxxxxxxxxxxxxxxxxxxxxx"… contains a space`}},
		{name: "every problem at once", in: "a,,b c\n" + strings.Repeat("x", 300), wantErr: []string{"entry 2 (line 1) is empty", `entry 3 (line 1) "b c"`, "entry 4 (line 2) is 300 characters"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseLabels(tc.in)
			if tc.wantErr != nil {
				if err == nil || !strings.HasPrefix(err.Error(), "input runner-labels: ") {
					t.Fatalf("parseLabels = %q, %v; want an error about input runner-labels", got, err)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, wantErr string
	}{
		{"build-42", ""},
		{"vm@host.example_1", ""},
		{strings.Repeat("n", 64), ""},
		{strings.Repeat("ü", 64), ""},
		{strings.Repeat("n", 65), "65 characters long; GitHub allows at most 64"},
		{"my runner", `contains ' ' (character 3)`},
		{"a\x00b", `contains '\x00'`},
		{"", "empty"},
	}
	for _, tc := range cases {
		got, err := parseName(tc.in)
		switch {
		case tc.wantErr == "" && (err != nil || got != tc.in):
			t.Errorf("parseName(%q) = %q, %v", tc.in, got, err)
		case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), "input runner-name ") || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("parseName(%q) error = %v, want %q", tc.in, err, tc.wantErr)
		}
	}
}

func TestDefaultName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("r", 100) // GitHub's longest repository name
	cases := []struct {
		repo, runID, attempt, want string
	}{
		{"octo-org/app", "9876543210", "1", "app-9876543210-1-0a1b2c3d"},
		{"octo-org/app", "9876543210", "", "app-9876543210-0a1b2c3d"},
		{"octo-org/app", "", "2", "app-0a1b2c3d"},
		{"octo-org/app", "12x", "1", "app-0a1b2c3d"},
		{"octo-org/" + long, "9876543210", "3", strings.Repeat("r", 42) + "-9876543210-3-0a1b2c3d"},
		{"octo-org/my.app-", "1", "1", "my.app-1-1-0a1b2c3d"},
		{"octo-org/.github", "1", "1", "github-1-1-0a1b2c3d"},
		// Cut to 51 characters, the repository name ends in "-": dropped.
		{"octo-org/" + strings.Repeat("r", 50) + "-xyz", "1", "1", strings.Repeat("r", 50) + "-1-1-0a1b2c3d"},
		{"", "1", "1", "runner-1-1-0a1b2c3d"},
		{"octo-org/...", "1", "1", "runner-1-1-0a1b2c3d"},
		{"octo-org/app", "12345678901234567890", "99999", "app-12345678901234567890-99999-0a1b2c3d"},
	}
	for _, tc := range cases {
		got := defaultName(tc.repo, tc.runID, tc.attempt, "0a1b2c3d")
		if got != tc.want {
			t.Errorf("defaultName(%q, %q, %q) = %q, want %q", tc.repo, tc.runID, tc.attempt, got, tc.want)
		}
		if _, err := parseName(got); err != nil {
			t.Errorf("defaultName(%q, ...) = %q is not a valid name: %v", tc.repo, got, err)
		}
	}
	a, b := randomSuffix(), randomSuffix()
	if !regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(a) || a == b {
		t.Errorf("randomSuffix = %q, %q: want two different 8-hex-digit suffixes", a, b)
	}
}

func TestParseGroupAndWorkFolder(t *testing.T) {
	t.Parallel()
	groups := []struct {
		in      string
		want    Group
		wantErr string
	}{
		{"", Group{}, ""},
		{"1", Group{ID: 1}, ""},
		{"42", Group{ID: 42}, ""},
		{"gpu runners", Group{Name: "gpu runners"}, ""},
		{"-1", Group{Name: "-1"}, ""},
		{"0", Group{}, "not a valid group id"},
		{"99999999999999999999", Group{}, "not a valid group id"},
		{"a\nb", Group{}, "control character or line break"},
	}
	for _, tc := range groups {
		got, err := parseGroup(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), "input runner-group ") || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseGroup(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseGroup(%q) = %+v, %v", tc.in, got, err)
		}
	}
	folders := map[string]string{"": "_work", "work": "work", "/mnt/runner work": "/mnt/runner work"}
	for in, want := range folders {
		if got, err := parseWorkFolder(in); err != nil || got != want {
			t.Errorf("parseWorkFolder(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"a\nb", strings.Repeat("w", 4097)} {
		if _, err := parseWorkFolder(in); err == nil || !strings.HasPrefix(err.Error(), "input work-folder ") {
			t.Errorf("parseWorkFolder(%.20q) error = %v", in, err)
		}
	}
}

func TestCheckGroupForRepository(t *testing.T) {
	t.Parallel()
	for _, g := range []Group{{}, {ID: 1}, {Name: "Default"}, {Name: "default"}} {
		if err := CheckGroupForRepository(g); err != nil {
			t.Errorf("%+v: %v", g, err)
		}
	}
	for _, g := range []Group{{ID: 2}, {Name: "gpu"}} {
		err := CheckGroupForRepository(g)
		if err == nil || !strings.Contains(err.Error(), "a repository's self-hosted runners are always in its default runner group (id 1)") || !strings.Contains(err.Error(), "organization or enterprise") {
			t.Errorf("%+v: error = %v", g, err)
		}
	}
}

// TestJITLabels: a JIT runner has exactly the labels asked for. With
// runner-platform, they start with what config.sh adds on that platform.
func TestJITLabels(t *testing.T) {
	t.Parallel()
	many := make([]string, MaxLabels-1)
	for i := range many {
		many[i] = fmt.Sprintf("l%d", i)
	}
	cases := []struct {
		name     string
		labels   string
		platform string
		want     []string
		wantErr  string
	}{
		{"no platform, no labels: self-hosted only", "", "", []string{"self-hosted"}, ""},
		{"no platform: exactly the labels given", "gpu, linux", "", []string{"gpu", "linux"}, ""},
		{"linux-x64", "", "linux-x64", []string{"self-hosted", "Linux", "X64"}, ""},
		{"osx-arm64, any case", "", "OSX-ARM64", []string{"self-hosted", "macOS", "ARM64"}, ""},
		{"win-x64", "", "win-x64", []string{"self-hosted", "Windows", "X64"}, ""},
		{"linux-arm", "", "linux-arm", []string{"self-hosted", "Linux", "ARM"}, ""},
		{"then runner-labels, de-duplicated ignoring case", "gpu, LINUX, Self-Hosted, x64", "linux-x64", []string{"self-hosted", "Linux", "X64", "gpu"}, ""},
		{"a platform config.sh has no label for", "gpu", "linux-riscv64", []string{"self-hosted", "Linux", "gpu"}, ""},
		{"too many with the platform's", strings.Join(many, ","), "linux-x64", nil, "input runner-labels: 102 distinct labels with the 3 runner-platform linux-x64 adds; GitHub allows at most 100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := load(t, env(map[string]string{"INPUT_KIND": "jit", "INPUT_RUNNER-LABELS": tc.labels, "INPUT_RUNNER-PLATFORM": tc.platform})).Parse()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, c.JIT.Labels); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
		})
	}
}
