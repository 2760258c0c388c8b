package appauth

import (
	"errors"
	"strings"
	"testing"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
)

// TestAdvice covers the answers the simulator flow does not produce.
func TestAdvice(t *testing.T) {
	t.Parallel()
	app := config.App{ID: "123"}
	g, _ := GrantFor(repo)
	cases := []struct {
		name string
		err  error
		o    op
		want string
	}{
		{"repository outside the installation", &githubapi.Error{StatusCode: 422, Message: "There is at least one repository that does not exist or is not accessible to the parent installation."}, exchange,
			"does not include repository octo-org/app: add it under the installation's Repository access"},
		{"other 422", &githubapi.Error{StatusCode: 422, Message: "Validation Failed"}, exchange, `"Administration: write"`},
		{"suspended", &githubapi.Error{StatusCode: 403, Message: "This installation has been suspended"}, exchange, "is suspended"},
		{"404 on the token request is not 'not installed'", &githubapi.Error{StatusCode: 404, Message: "Not Found"}, exchange, ""},
		{"older GitHub wording for clock skew", &githubapi.Error{StatusCode: 401, Message: "'Issued at' claim ('iat') is in the future"}, lookup, "clock is off"},
		{"transport error", errors.New("dial tcp: connection refused"), lookup, ""},
	}
	for _, tc := range cases {
		got := advice(tc.err, app, repo, g, tc.o)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: advice %q, want %q", tc.name, got, tc.want)
		}
	}
}
