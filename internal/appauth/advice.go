package appauth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
	"github.com/runnertoken/runner-token-action/internal/mint"
	"github.com/runnertoken/runner-token-action/internal/target"
)

// op is which of the two JWT requests failed.
type op int

const (
	lookup   op = iota // GET {target}/installation
	exchange           // POST app/installations/{id}/access_tokens
)

// GitHub's 422 answers to an access-token request it will not narrow.
const (
	notGranted    = "permissions requested are not granted"
	notAccessible = "not accessible to the parent installation"
)

// advice says what to do about err from a JWT request, as a sentence to
// append (leading ". "). mint.Advice covers what is not specific to apps
// (rate limits, server errors, a web page instead of the API); its hints
// for 401/403/404 are about personal access tokens and would mislead here.
func advice(err error, app config.App, t target.Target, g Grant, o op) string {
	var e *githubapi.Error
	if !errors.As(err, &e) || e.RateLimited || e.NotJSON || e.StatusCode >= 500 {
		return mint.Advice(err, t)
	}
	msg := strings.ToLower(e.Message)
	switch {
	case e.StatusCode == http.StatusUnauthorized && clockSkew(msg):
		return ". GitHub refused the app's JWT because of its time claims: this runner's clock is off. " +
			"Set it right (e.g. with NTP); the JWT already allows for 60 seconds ahead and 9 minutes behind"
	case e.StatusCode == http.StatusUnauthorized:
		return fmt.Sprintf(". GitHub could not verify the app's JWT: the private key does not belong to the GitHub App with id %s, "+
			"or app-id is wrong, or the key was deleted. Use the App ID or Client ID from the app's settings page and a private key generated there", app.ID)
	case e.StatusCode == http.StatusNotFound && o == lookup:
		return ". " + notInstalled(app, t)
	case e.StatusCode == http.StatusUnprocessableEntity && strings.Contains(msg, notGranted):
		return ". " + lacksPermission(t, g)
	case e.StatusCode == http.StatusUnprocessableEntity && strings.Contains(msg, notAccessible):
		return fmt.Sprintf(". The app's installation on %s does not include repository %s: add it under the installation's Repository access", t.Owner, t.Name())
	case e.StatusCode == http.StatusUnprocessableEntity:
		return ". " + lacksPermission(t, g)
	case e.StatusCode == http.StatusForbidden && strings.Contains(msg, "suspended"):
		return fmt.Sprintf(". The app's installation on %s is suspended: an owner of %s can unsuspend it in the installation's settings", t.Owner, t.Owner)
	}
	return ""
}

// clockSkew recognises GitHub's answers about a JWT's iat or exp claim,
// e.g. "'Expiration time' claim ('exp') is too far in the future".
func clockSkew(lower string) bool {
	for _, s := range []string{"('iat')", "('exp')", "issued at", "expiration time"} {
		if strings.Contains(lower, s) {
			return true
		}
	}
	return false
}

func notInstalled(app config.App, t target.Target) string {
	if t.Scope == target.Repository {
		return fmt.Sprintf("The GitHub App (id %s) is not installed on repository %s (or the repository does not exist): "+
			"install it on %s from the app's settings page (Install App), with access to all repositories or to %s, or check app-id",
			app.ID, t.Name(), t.Owner, t.Repo)
	}
	return fmt.Sprintf("The GitHub App (id %s) is not installed on %s (or it does not exist): install it there from the app's settings page (Install App), or check app-id",
		app.ID, t)
}

func lacksPermission(t target.Target, g Grant) string {
	return fmt.Sprintf("The app's installation on %s has not been granted the %s (%s: %s). "+
		"Add it in the app's settings (Permissions & events), then have an owner of %s accept the new permissions in the installation's settings",
		t.Owner, g.Label, g.Permission, g.Level, t.Owner)
}
