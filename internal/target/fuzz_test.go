package target

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var safePart = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// FuzzParse: whatever a workflow passes, an accepted target can never change
// the shape of an API path or of the runner URL, and it round-trips.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"octo-org/app", "o/r.git", "../x", "o/..", "o/r/x", "https://github.com/o/r", "o%2Fr", "ö/r", "o/r?x", "o /r", "-o", "a_b"} {
		f.Add(s)
	}
	server, _ := url.Parse("https://ghes.example.com")
	f.Fuzz(func(t *testing.T, s string) {
		for scope, parse := range map[Scope]func(string) (Target, error){Repository: ParseRepository, Organization: ParseOrganization, Enterprise: ParseEnterprise} {
			tg, err := parse(s)
			if err != nil {
				continue
			}
			if tg.Scope != scope {
				t.Fatalf("%v parsed as %v", scope, tg.Scope)
			}
			parts := strings.Split(tg.APIPath(), "/")
			wantParts := map[Scope]int{Repository: 3, Organization: 2, Enterprise: 2}[scope]
			if len(parts) != wantParts {
				t.Fatalf("APIPath %q has %d parts, want %d", tg.APIPath(), len(parts), wantParts)
			}
			for _, p := range parts[1:] {
				if !safePart.MatchString(p) || p == "." || p == ".." {
					t.Fatalf("APIPath part %q is not a plain name", p)
				}
			}
			u, err := url.Parse(tg.RunnerURL(server))
			if err != nil || u.Host != server.Host || u.RawQuery != "" || u.Fragment != "" {
				t.Fatalf("runner URL %q escapes its host", tg.RunnerURL(server))
			}
			again, err := parse(tg.Name())
			if err != nil || again != tg {
				t.Fatalf("%q does not round-trip: %v %v", tg.Name(), again, err)
			}
		}
	})
}
