package githubapi

import (
	"net/http"
	"slices"
	"strings"
)

// Op is which call of the action a request was: the same answer means
// different things, and calls for different advice, from different calls.
type Op int

const (
	OpOther             Op = iota
	OpRunnerToken          // POST {target}/actions/runners/{registration,remove}-token
	OpFindInstallation     // GET {target}/installation, with the app's JWT
	OpInstallationToken    // POST app/installations/{id}/access_tokens, with the JWT
	OpRevokeToken          // DELETE installation/token
	OpListGroups           // GET {target}/actions/runner-groups
	OpListRunners          // GET {target}/actions/runners
	OpRegisterJIT          // POST {target}/actions/runners/generate-jitconfig
	OpRemoveRunner         // DELETE {target}/actions/runners/{id}
	OpGetRunner            // GET {target}/actions/runners/{id}
	OpListDownloads        // GET {target}/actions/runners/downloads
)

// Hint is what an error answer says, read once, here: the status, and
// GitHub's words where the status alone does not tell.
type Hint int

const (
	HintNone           Hint = iota
	HintBadCredential       // 401
	HintClockSkew           // 401 about a JWT's iat or exp claim
	HintNoPermission        // 403, not a rate limit
	HintSuspended           // 403 for a suspended app installation
	HintNotFound            // 404 with GitHub's JSON
	HintNotAPI              // 404 or 405 whose body is not GitHub's JSON: a web page
	HintRateLimited         // a primary or secondary rate limit, or 429
	HintInvalid             // 400 or 422
	HintNotAccessible       // 422: a repository outside the app's installation
	HintConflict            // 409
	HintServerError         // 5xx other than 501
	HintNotImplemented      // 501
)

// hint classifies e.
func (e *Error) hint() Hint {
	msg := strings.ToLower(e.Message.Raw())
	switch s := e.StatusCode; {
	case e.RateLimited:
		return HintRateLimited
	case e.NotJSON && (s == http.StatusNotFound || s == http.StatusMethodNotAllowed):
		return HintNotAPI
	case s == http.StatusUnauthorized && clockSkew(msg):
		return HintClockSkew
	case s == http.StatusUnauthorized:
		return HintBadCredential
	case s == http.StatusForbidden && strings.Contains(msg, "suspended"):
		return HintSuspended
	case s == http.StatusForbidden:
		return HintNoPermission
	case s == http.StatusNotFound:
		return HintNotFound
	case s == http.StatusConflict:
		return HintConflict
	case s == http.StatusUnprocessableEntity && strings.Contains(msg, "not accessible to the parent installation"):
		return HintNotAccessible
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		return HintInvalid
	case s == http.StatusNotImplemented:
		return HintNotImplemented
	case s >= 500:
		return HintServerError
	}
	return HintNone
}

// clockSkew recognises GitHub's answers about a JWT's iat or exp claim,
// e.g. "'Expiration time' claim ('exp') is too far in the future".
func clockSkew(lower string) bool {
	return slices.ContainsFunc([]string{"('iat')", "('exp')", "issued at", "expiration time"}, func(s string) bool {
		return strings.Contains(lower, s)
	})
}
