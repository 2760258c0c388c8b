package ghsim

import (
	"crypto/rsa"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
	"github.com/google/go-cmp/cmp"
)

// Keys are generated once per test binary; none is checked in.
var (
	appKey   = sync.OnceValue(mustKey)
	otherKey = sync.OnceValue(mustKey)
)

func mustKey() *rsa.PrivateKey {
	k, _, err := NewAppKey()
	if err != nil {
		panic(err)
	}
	return k
}

var simNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func appSim(t *testing.T) *Server {
	t.Helper()
	s := newSim(t)
	s.Now = func() time.Time { return simNow }
	s.AddRepository("octo-org/other")
	s.AddRepository("someone/else")
	s.AddExampleApp(appKey())
	// A second app on octo-org with only some repositories and read access.
	s.AddApp(App{ID: 9, ClientID: "Iv23liSecondApp", PublicKey: &otherKey().PublicKey})
	s.AddAppInstallation(AppInstallation{ID: 900, AppID: 9, Account: "octo-org", Repositories: []string{"other"}, Permissions: map[string]string{"administration": "read"}})
	return s
}

func signed(t *testing.T, key *rsa.PrivateKey, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// good is a JWT as the action signs it: iat 60 s back, exp 9 minutes ahead.
func good(t *testing.T, iss string) string {
	return signed(t, appKey(), jwt.SigningMethodRS256, jwt.MapClaims{"iss": iss, "iat": simNow.Unix() - 60, "exp": simNow.Unix() + 540})
}

type reply struct {
	Status int
	Body   map[string]any
}

func do(t *testing.T, s *Server, method, path, auth, body string) reply {
	t.Helper()
	status, _, b := roundTrip(t, s, method, path, auth, body)
	r := reply{Status: status}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &r.Body); err != nil {
			t.Fatalf("%s %s: body is not JSON", method, path)
		}
	}
	return r
}

func TestJWTVerification(t *testing.T) {
	t.Parallel()
	now := simNow.Unix()
	id := strconv.Itoa(ExampleAppID)
	cases := []struct {
		name string
		auth func(t *testing.T) string
		want string // GitHub's 401 message, "" for accepted
	}{
		{"app id as issuer", func(t *testing.T) string { return "Bearer " + good(t, id) }, ""},
		{"client id as issuer", func(t *testing.T) string { return "Bearer " + good(t, ExampleClientID) }, ""},
		{"key of another app", func(t *testing.T) string {
			return "Bearer " + signed(t, otherKey(), jwt.SigningMethodRS256, jwt.MapClaims{"iss": id, "iat": now - 60, "exp": now + 540})
		}, msgJWTUndecodable},
		{"unknown issuer", func(t *testing.T) string { return "Bearer " + good(t, "31337") }, msgJWTUndecodable},
		{"not RS256", func(t *testing.T) string {
			return "Bearer " + signed(t, appKey(), jwt.SigningMethodRS512, jwt.MapClaims{"iss": id, "iat": now - 60, "exp": now + 540})
		}, msgJWTUndecodable},
		{"not a JWT", func(*testing.T) string { return "Bearer ghp_notAJWTatAll" }, msgJWTUndecodable},
		{"no credential", func(*testing.T) string { return "" }, msgJWTUndecodable},
		{"expired (runner clock behind)", func(t *testing.T) string {
			return "Bearer " + signed(t, appKey(), jwt.SigningMethodRS256, jwt.MapClaims{"iss": id, "iat": now - 900, "exp": now - 300})
		}, msgExpExpired},
		{"exp too far ahead", func(t *testing.T) string {
			return "Bearer " + signed(t, appKey(), jwt.SigningMethodRS256, jwt.MapClaims{"iss": id, "iat": now - 60, "exp": now + 601})
		}, msgExpTooFar},
		{"iat in the future (runner clock ahead)", func(t *testing.T) string {
			return "Bearer " + signed(t, appKey(), jwt.SigningMethodRS256, jwt.MapClaims{"iss": id, "iat": now + 120, "exp": now + 500})
		}, msgIatInvalid},
		{"fractional iat", func(t *testing.T) string {
			return "Bearer " + signed(t, appKey(), jwt.SigningMethodRS256, jwt.MapClaims{"iss": id, "iat": float64(now) - 59.5, "exp": now + 540})
		}, msgIatInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := appSim(t)
			r := do(t, s, "GET", "/orgs/octo-org/installation", tc.auth(t), "")
			if tc.want == "" {
				if r.Status != 200 {
					t.Fatalf("status %d (%v), want 200", r.Status, r.Body["message"])
				}
			} else if r.Status != 401 || r.Body["message"] != tc.want {
				t.Errorf("got %d %q, want 401 %q", r.Status, r.Body["message"], tc.want)
			}
			auths := s.AppAuths()
			if len(auths) != 1 || auths[0].Refused != tc.want || auths[0].Path != "/api/v3/orgs/octo-org/installation" {
				t.Errorf("AppAuths = %+v", auths)
			}
		})
	}
}

func TestInstallationLookups(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path   string
		iss    string
		wantID float64 // 0: 404
	}{
		{"/repos/octo-org/app/installation", strconv.Itoa(ExampleAppID), ExampleInstallationID},
		{"/repos/OCTO-ORG/App/installation", ExampleClientID, ExampleInstallationID},
		{"/orgs/octo-org/installation", ExampleClientID, ExampleInstallationID},
		{"/repos/octo-org/missing/installation", ExampleClientID, 0},
		{"/repos/someone/else/installation", ExampleClientID, 0}, // not installed there
		{"/orgs/nobody/installation", ExampleClientID, 0},
		{"/enterprises/octo-ent/installation", ExampleClientID, 0},
		// The second app's installation selects octo-org/other only.
		{"/repos/octo-org/app/installation", "Iv23liSecondApp", 0},
		{"/repos/octo-org/other/installation", "Iv23liSecondApp", 900},
	}
	for _, tc := range cases {
		t.Run(tc.iss+tc.path, func(t *testing.T) {
			t.Parallel()
			s := appSim(t)
			key := appKey()
			if tc.iss == "Iv23liSecondApp" {
				key = otherKey()
			}
			jwtText := signed(t, key, jwt.SigningMethodRS256, jwt.MapClaims{"iss": tc.iss, "iat": simNow.Unix() - 60, "exp": simNow.Unix() + 540})
			r := do(t, s, "GET", tc.path, "Bearer "+jwtText, "")
			if tc.wantID == 0 {
				if r.Status != 404 || r.Body["message"] != "Not Found" {
					t.Errorf("got %d %v, want 404 Not Found", r.Status, r.Body["message"])
				}
				return
			}
			if r.Status != 200 || r.Body["id"] != tc.wantID {
				t.Errorf("got %d id %v, want 200 id %v", r.Status, r.Body["id"], tc.wantID)
			}
		})
	}

	t.Run("enterprise installation", func(t *testing.T) {
		t.Parallel()
		s := appSim(t)
		s.AddAppInstallation(AppInstallation{ID: 55, AppID: ExampleAppID, Account: "enterprises/octo-ent", Permissions: map[string]string{"enterprise_organization_installations": "read"}})
		r := do(t, s, "GET", "/enterprises/octo-ent/installation", "Bearer "+good(t, ExampleClientID), "")
		if r.Status != 200 || r.Body["id"] != float64(55) || r.Body["target_type"] != "Enterprise" {
			t.Errorf("got %d %v", r.Status, r.Body)
		}
	})
}

func TestInstallationTokens(t *testing.T) {
	t.Parallel()
	tokens := "/app/installations/" + strconv.Itoa(ExampleInstallationID) + "/access_tokens"
	mintRepo := "/repos/octo-org/app/actions/runners/registration-token"
	mintOther := "/repos/octo-org/other/actions/runners/registration-token"
	mintOrg := "/orgs/octo-org/actions/runners/registration-token"
	cases := []struct {
		name       string
		path, body string
		wantStatus int
		wantMsg    string
		// Status of each mint endpoint with the issued token.
		wantRepo, wantOther, wantOrg int
		wantAdmin                    []string
	}{
		{"repository, narrowed", tokens, `{"repositories":["app"],"permissions":{"administration":"write"}}`, 201, "", 201, 403, 403, []string{"octo-org/app"}},
		{"organization, narrowed", tokens, `{"permissions":{"organization_self_hosted_runners":"write"}}`, 201, "", 403, 403, 201, []string{"octo-org"}},
		{"unnarrowed gets everything granted", tokens, ``, 201, "", 201, 201, 201, []string{"octo-org/app", "octo-org/other", "octo-org"}},
		{"read is not enough to mint", tokens, `{"permissions":{"administration":"read"}}`, 201, "", 403, 403, 403, nil},
		{"permission not granted", tokens, `{"permissions":{"administration":"admin"}}`, 422, msgNotGranted, 0, 0, 0, nil},
		{"unknown permission", tokens, `{"permissions":{"secrets":"write"}}`, 422, msgNotGranted, 0, 0, 0, nil},
		{"repository outside the installation", tokens, `{"repositories":["else"],"permissions":{"administration":"write"}}`, 422, msgNotAccessible, 0, 0, 0, nil},
		{"another app's installation", "/app/installations/900/access_tokens", `{}`, 404, "Not Found", 0, 0, 0, nil},
		{"broken JSON", tokens, `{"permissions":`, 400, "Problems parsing JSON", 0, 0, 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := appSim(t)
			r := do(t, s, "POST", tc.path, "Bearer "+good(t, ExampleClientID), tc.body)
			if r.Status != tc.wantStatus || (tc.wantMsg != "" && r.Body["message"] != tc.wantMsg) {
				t.Fatalf("got %d %v, want %d %q", r.Status, r.Body["message"], tc.wantStatus, tc.wantMsg)
			}
			if tc.wantStatus != 201 {
				if len(s.AppTokens()) != 0 {
					t.Error("a token was issued anyway")
				}
				return
			}
			tok, _ := r.Body["token"].(string)
			issued := s.AppTokens()
			if len(issued) != 1 || issued[0].Token != tok || !strings.HasPrefix(tok, "ghs_") {
				t.Fatalf("the answer's token is not the one recorded, or not ghs_")
			}
			if diff := cmp.Diff(tc.wantAdmin, issued[0].Admin); diff != "" {
				t.Errorf("token rights (-want +got):\n%s", diff)
			}
			got := []int{
				do(t, s, "POST", mintRepo, "Bearer "+tok, "").Status,
				do(t, s, "POST", mintOther, "Bearer "+tok, "").Status,
				do(t, s, "POST", mintOrg, "token "+tok, "").Status,
			}
			if diff := cmp.Diff([]int{tc.wantRepo, tc.wantOther, tc.wantOrg}, got); diff != "" {
				t.Errorf("mint statuses with the token, repo/other/org (-want +got):\n%s", diff)
			}
			// Requests name the token's credential, never hold it.
			reqs := s.Requests()
			if last := reqs[len(reqs)-1]; last.Credential != issued[0].Credential || last.Header.Get("Authorization") != "" {
				t.Errorf("request recorded as %q", last.Credential)
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	s := appSim(t)
	r := do(t, s, "POST", "/app/installations/"+strconv.Itoa(ExampleInstallationID)+"/access_tokens", "Bearer "+good(t, ExampleClientID), `{"permissions":{"organization_self_hosted_runners":"write"}}`)
	tok, _ := r.Body["token"].(string)
	mint := "/orgs/octo-org/actions/runners/remove-token"
	got := []int{
		do(t, s, "POST", mint, "Bearer "+tok, "").Status,
		do(t, s, "DELETE", "/installation/token", "Bearer "+tok, "").Status,
		do(t, s, "POST", mint, "Bearer "+tok, "").Status,
		do(t, s, "DELETE", "/installation/token", "Bearer "+tok, "").Status,
		do(t, s, "DELETE", "/installation/token", "Bearer tok-admin", "").Status,
	}
	if diff := cmp.Diff([]int{201, 204, 401, 401, 401}, got); diff != "" {
		t.Errorf("mint, revoke, mint, revoke again, revoke a PAT (-want +got):\n%s", diff)
	}
	if ts := s.AppTokens(); len(ts) != 1 || !ts[0].Revoked {
		t.Errorf("token not recorded as revoked")
	}
}
