package appauth

import (
	"crypto/rsa"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
)

const (
	// Backdate moves iat into the past: GitHub rejects an iat in its future,
	// so a runner whose clock is up to this much ahead still gets through.
	Backdate = 60 * time.Second
	// Lifetime is exp - iat. GitHub rejects an exp more than 10 minutes
	// after its own clock; with iat backdated, exp is 9 minutes from now,
	// which also lets a runner whose clock is up to 9 minutes behind through.
	// One JWT serves the whole exchange, which takes well under a second.
	Lifetime = 10 * time.Minute
)

// signJWT returns the app's JWT: RS256, iss = the App ID or Client ID,
// whole-second iat and exp (GitHub refuses fractional ones).
func signJWT(issuer string, key *rsa.PrivateKey, now time.Time) (string, error) {
	iat := now.Add(-Backdate).Truncate(time.Second)
	claims := jwt.RegisteredClaims{
		Issuer:    issuer,
		IssuedAt:  jwt.NewNumericDate(iat),
		ExpiresAt: jwt.NewNumericDate(iat.Add(Lifetime)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
}
