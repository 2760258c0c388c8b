package ghsim

// GitHub Apps: apps with a public key, their installations, JWT
// authentication with GitHub's own 401 messages, the installation lookups,
// narrowed installation tokens that the runner-token endpoints then accept
// with exactly the narrowed rights, and revocation.

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
)

// App is a GitHub App the simulator knows: JWTs whose iss is its ID or its
// ClientID must be signed by the key PublicKey belongs to.
type App struct {
	ID        int64
	ClientID  string
	PublicKey *rsa.PublicKey
}

// AppInstallation is an app installed on an account: an organization or
// user login, or "enterprises/SLUG".
type AppInstallation struct {
	ID      int64
	AppID   int64
	Account string
	// Permissions are what the account granted, e.g. "administration": "write".
	Permissions map[string]string
	// Repositories are the selected repository names; nil means all of the
	// account's repositories.
	Repositories []string
}

// AppToken is an installation token the simulator issued. While it is not
// revoked it is a credential named Credential in Requests.
type AppToken struct {
	Installation int64
	Token        string
	Credential   string
	Repositories []string          // as requested; nil: all the installation's
	Permissions  map[string]string // as requested, or all granted
	Admin        []string          // what it may mint runner tokens for
	Revoked      bool
}

// AppAuth is one request that presented an app's JWT, as the simulator
// verified it. It never holds the JWT itself.
type AppAuth struct {
	Method, Path string
	Alg, Typ     string
	Issuer       string
	App          int64 // the app the issuer names; 0 if none
	IssuedAt     int64
	ExpiresAt    int64
	// Refused is GitHub's 401 message, or "" when the JWT was accepted.
	Refused string
}

// appState is the simulator's GitHub Apps, guarded by Server.mu.
type appState struct {
	apps          []App
	installations []AppInstallation
	tokens        []AppToken
	auths         []AppAuth
}

// GitHub's answers that the action's advice keys on.
const (
	msgJWTUndecodable = "A JSON web token could not be decoded"
	msgExpExpired     = "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
	msgExpTooFar      = "'Expiration time' claim ('exp') is too far in the future"
	msgIatInvalid     = "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
	msgNotGranted     = "The permissions requested are not granted to this installation."
	msgNotAccessible  = "There is at least one repository that does not exist or is not accessible to the parent installation."
)

const docsApps = "https://docs.github.com/rest/apps/apps"

// AddApp registers a GitHub App.
func (s *Server) AddApp(a App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps.apps = append(s.apps.apps, a)
}

// AddAppInstallation installs an app on an account.
func (s *Server) AddAppInstallation(i AppInstallation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps.installations = append(s.apps.installations, i)
}

// AppTokens returns every installation token issued so far.
func (s *Server) AppTokens() []AppToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.apps.tokens)
}

// AppAuths returns every app-authenticated request so far, in order.
func (s *Server) AppAuths() []AppAuth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.apps.auths)
}

// The example app the tests, the demo and the benchmark share: installed on
// octo-org, all repositories, with both runner permissions.
const (
	ExampleAppID          = 424242
	ExampleClientID       = "Iv23liSimulatorApp01"
	ExampleInstallationID = 7000001
)

// AddExampleApp registers the example app with key's public half and
// installs it on octo-org.
func (s *Server) AddExampleApp(key *rsa.PrivateKey) {
	s.AddApp(App{ID: ExampleAppID, ClientID: ExampleClientID, PublicKey: &key.PublicKey})
	s.AddAppInstallation(AppInstallation{
		ID: ExampleInstallationID, AppID: ExampleAppID, Account: "octo-org",
		Permissions: map[string]string{"administration": "write", "organization_self_hosted_runners": "write", "metadata": "read"},
	})
}

// NewAppKey generates an app's private key and its PEM, as GitHub hands it
// out (PKCS#1), so that no key file is ever checked in.
func NewAppKey() (*rsa.PrivateKey, string, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, "", err
	}
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), nil
}

func (s *Server) appRoutes() {
	b := s.BasePath
	s.mux.HandleFunc("GET "+b+"/repos/{owner}/{repo}/installation", s.findInstallation)
	s.mux.HandleFunc("GET "+b+"/orgs/{org}/installation", s.findInstallation)
	// In public preview on github.com (changelog 2026-05-13).
	s.mux.HandleFunc("GET "+b+"/enterprises/{enterprise}/installation", s.findInstallation)
	s.mux.HandleFunc("POST "+b+"/app/installations/{id}/access_tokens", s.createInstallationToken)
	s.mux.HandleFunc("DELETE "+b+"/installation/token", s.revokeInstallationToken)
}

// appJWT verifies r's JWT as GitHub does and records the outcome. On
// failure it has written GitHub's 401 and returns nil.
func (s *Server) appJWT(w http.ResponseWriter, r *http.Request) *App {
	auth := AppAuth{Method: r.Method, Path: r.URL.Path}
	app, msg := s.verifyJWT(r, &auth)
	auth.Refused = msg
	s.mu.Lock()
	s.apps.auths = append(s.apps.auths, auth)
	s.mu.Unlock()
	if msg != "" {
		s.writeError(w, http.StatusUnauthorized, msg, "https://docs.github.com/rest")
		return nil
	}
	return app
}

func (s *Server) verifyJWT(r *http.Request, rec *AppAuth) (*App, string) {
	scheme, raw, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || strings.Count(raw, ".") != 2 {
		return nil, msgJWTUndecodable
	}
	var app *App
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithJSONNumber(), jwt.WithoutClaimsValidation())
	tok, err := parser.Parse(raw, func(t *jwt.Token) (any, error) {
		iss, _ := t.Claims.(jwt.MapClaims)["iss"].(string)
		if app = s.appByIssuer(iss); app == nil {
			return nil, fmt.Errorf("no app with issuer %q", iss)
		}
		return app.PublicKey, nil
	})
	if tok != nil {
		rec.Alg, _ = tok.Header["alg"].(string)
		rec.Typ, _ = tok.Header["typ"].(string)
		claims, _ := tok.Claims.(jwt.MapClaims)
		rec.Issuer, _ = claims["iss"].(string)
		rec.IssuedAt, _ = wholeNumber(claims["iat"])
		rec.ExpiresAt, _ = wholeNumber(claims["exp"])
	}
	if app != nil {
		rec.App = app.ID
	}
	if err != nil || tok == nil || !tok.Valid {
		// A key that is not the app's, or an issuer that is no app: GitHub
		// says the same for both.
		return nil, msgJWTUndecodable
	}
	now := s.Now().Unix()
	claims := tok.Claims.(jwt.MapClaims)
	exp, ok := wholeNumber(claims["exp"])
	switch {
	case !ok || exp <= now:
		return nil, msgExpExpired
	case exp > now+600:
		return nil, msgExpTooFar
	}
	if iat, ok := wholeNumber(claims["iat"]); !ok || iat > now {
		return nil, msgIatInvalid
	}
	return app, ""
}

// wholeNumber accepts only an integer JSON number: GitHub refuses
// fractional timestamps.
func wholeNumber(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

func (s *Server) appByIssuer(iss string) *App {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, a := range s.apps.apps {
		if iss != "" && (iss == strconv.FormatInt(a.ID, 10) || iss == a.ClientID) {
			return &s.apps.apps[i]
		}
	}
	return nil
}

// findInstallation answers the repository, organization and enterprise
// installation lookups.
func (s *Server) findInstallation(w http.ResponseWriter, r *http.Request) {
	app := s.appJWT(w, r)
	if app == nil {
		return
	}
	key := targetOf(r)
	account, repo, _ := strings.Cut(key.admin, "/")
	if strings.HasPrefix(key.path, "enterprises/") {
		account, repo = key.admin, ""
	}
	inst, ok := s.installationOn(app.ID, account)
	if !ok || !s.exists(key) || (repo != "" && !s.covers(inst, repo)) {
		s.writeError(w, http.StatusNotFound, "Not Found", docsApps)
		return
	}
	s.writeJSON(w, http.StatusOK, s.installationJSON(inst))
}

func (s *Server) installationOn(appID int64, account string) (AppInstallation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, i := range s.apps.installations {
		if i.AppID == appID && strings.EqualFold(i.Account, account) {
			return i, true
		}
	}
	return AppInstallation{}, false
}

// repositoriesOf lists the installation's repositories as "owner/name".
func (s *Server) repositoriesOf(i AppInstallation) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if i.Repositories != nil {
		for _, name := range i.Repositories {
			if full := strings.ToLower(i.Account + "/" + name); s.repos[full] {
				out = append(out, full)
			}
		}
		return out
	}
	for full := range s.repos {
		if owner, _, _ := strings.Cut(full, "/"); strings.EqualFold(owner, i.Account) {
			out = append(out, full)
		}
	}
	slices.Sort(out)
	return out
}

func (s *Server) covers(i AppInstallation, repo string) bool {
	return slices.Contains(s.repositoriesOf(i), strings.ToLower(i.Account+"/"+repo))
}

func (s *Server) installationJSON(i AppInstallation) map[string]any {
	targetType, login := "User", i.Account
	s.mu.Lock()
	switch {
	case strings.HasPrefix(i.Account, "enterprises/"):
		targetType, login = "Enterprise", strings.TrimPrefix(i.Account, "enterprises/")
	case s.orgs[strings.ToLower(i.Account)]:
		targetType = "Organization"
	}
	s.mu.Unlock()
	selection := "all"
	if i.Repositories != nil {
		selection = "selected"
	}
	return map[string]any{
		"id":                   i.ID,
		"app_id":               i.AppID,
		"account":              map[string]any{"login": login, "type": targetType},
		"target_type":          targetType,
		"repository_selection": selection,
		"permissions":          i.Permissions,
		"access_tokens_url":    fmt.Sprintf("%s/app/installations/%d/access_tokens", s.URL(), i.ID),
	}
}

// level orders permission levels; a token may ask for at most what the
// installation was granted.
var level = map[string]int{"read": 1, "write": 2, "admin": 3}

func (s *Server) createInstallationToken(w http.ResponseWriter, r *http.Request) {
	app := s.appJWT(w, r)
	if app == nil {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	inst, ok := s.installationByID(app.ID, id)
	if !ok {
		s.writeError(w, http.StatusNotFound, "Not Found", docsApps+"#create-an-installation-access-token-for-an-app")
		return
	}
	var req struct {
		Repositories  []string          `json:"repositories"`
		RepositoryIDs []int64           `json:"repository_ids"`
		Permissions   map[string]string `json:"permissions"`
	}
	body, _ := io.ReadAll(r.Body)
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			s.writeError(w, http.StatusBadRequest, "Problems parsing JSON", docsApps)
			return
		}
	}
	covered := s.repositoriesOf(inst)
	for _, name := range req.Repositories {
		if !slices.Contains(covered, strings.ToLower(inst.Account+"/"+name)) {
			s.writeError(w, http.StatusUnprocessableEntity, msgNotAccessible, docsApps)
			return
		}
	}
	if len(req.RepositoryIDs) > 0 { // the simulator has no repository ids
		s.writeError(w, http.StatusUnprocessableEntity, msgNotAccessible, docsApps)
		return
	}
	for name, lvl := range req.Permissions {
		if level[lvl] == 0 || level[lvl] > level[inst.Permissions[name]] {
			s.writeError(w, http.StatusUnprocessableEntity, msgNotGranted, docsApps)
			return
		}
	}

	perms := maps.Clone(req.Permissions)
	if perms == nil {
		perms = maps.Clone(inst.Permissions)
	}
	repos := covered
	if req.Repositories != nil {
		repos = nil
		for _, name := range req.Repositories {
			repos = append(repos, strings.ToLower(inst.Account+"/"+name))
		}
	}
	// What the token may mint runner tokens for: exactly its narrowed rights.
	var admin []string
	if level[perms["administration"]] >= level["write"] {
		admin = append(admin, repos...)
	}
	if level[perms["organization_self_hosted_runners"]] >= level["write"] && !strings.HasPrefix(inst.Account, "enterprises/") {
		admin = append(admin, inst.Account)
	}

	value := s.tokens.installationToken(inst.ID)
	expires := s.Now().Add(s.TTL).UTC().Format(time.RFC3339)
	s.mu.Lock()
	name := fmt.Sprintf("app-installation-%d-token-%d", inst.ID, len(s.apps.tokens)+1)
	s.apps.tokens = append(s.apps.tokens, AppToken{
		Installation: inst.ID, Token: value, Credential: name,
		Repositories: req.Repositories, Permissions: perms, Admin: admin,
	})
	s.mu.Unlock()
	s.AddCredential(name, value, Credential{Type: Installation, Admin: admin})
	s.announce(Issued{Kind: "installation", Target: fmt.Sprintf("installations/%d", inst.ID), Token: value, ExpiresAt: expires})

	answer := map[string]any{
		"token":                value,
		"expires_at":           expires,
		"permissions":          perms,
		"repository_selection": "all",
	}
	if req.Repositories != nil {
		answer["repository_selection"] = "selected"
		var rs []map[string]string
		for _, full := range repos {
			_, n, _ := strings.Cut(full, "/")
			rs = append(rs, map[string]string{"name": n, "full_name": full})
		}
		answer["repositories"] = rs
	}
	s.writeJSON(w, http.StatusCreated, answer)
}

func (s *Server) installationByID(appID, id int64) (AppInstallation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, i := range s.apps.installations {
		if i.ID == id && i.AppID == appID {
			return i, true
		}
	}
	return AppInstallation{}, false
}

// revokeInstallationToken answers DELETE /installation/token: the token
// that authenticates the request stops working at once.
func (s *Server) revokeInstallationToken(w http.ResponseWriter, r *http.Request) {
	scheme, value, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	idx := slices.IndexFunc(s.apps.tokens, func(t AppToken) bool { return t.Token == value && !t.Revoked })
	if idx < 0 || (!strings.EqualFold(scheme, "bearer") && !strings.EqualFold(scheme, "token")) {
		s.mu.Unlock()
		s.writeError(w, http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
		return
	}
	s.apps.tokens[idx].Revoked = true
	delete(s.credentials, value)
	s.mu.Unlock()
	s.headers(w)
	w.WriteHeader(http.StatusNoContent)
}

func randomAlnum(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
