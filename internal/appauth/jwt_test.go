package appauth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
	"github.com/google/go-cmp/cmp"
)

func TestSignJWT(t *testing.T) {
	t.Parallel()
	k := testKey()
	now := time.Date(2026, 11, 25, 15, 4, 5, 700_000_000, time.UTC)
	for _, iss := range []string{"123456", "Iv23liAbCdEfGh012345"} {
		t.Run(iss, func(t *testing.T) {
			t.Parallel()
			signed, err := signJWT(iss, k, now)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(signed, ".")
			if len(parts) != 3 {
				t.Fatalf("JWT has %d parts, want 3", len(parts))
			}

			// The header and the claims, exactly as GitHub reads them:
			// whole-second numbers, iat 60 s back, exp 10 minutes after iat.
			var header map[string]any
			decodeSegment(t, parts[0], &header)
			if diff := cmp.Diff(map[string]any{"alg": "RS256", "typ": "JWT"}, header); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			var claims map[string]any
			decodeSegment(t, parts[1], &claims)
			iat := now.Add(-60 * time.Second).Truncate(time.Second).Unix()
			want := map[string]any{"iss": iss, "iat": num(iat), "exp": num(iat + 600)}
			if diff := cmp.Diff(want, claims); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}

			// The signature verifies with the app's public key only.
			parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
			if _, err := parser.Parse(signed, func(*jwt.Token) (any, error) { return &k.PublicKey, nil }); err != nil {
				t.Errorf("the signature does not verify with the app's public key: %v", err)
			}
			other, _ := rsa.GenerateKey(rand.Reader, 2048)
			if _, err := parser.Parse(signed, func(*jwt.Token) (any, error) { return &other.PublicKey, nil }); err == nil {
				t.Error("the signature verifies with another key")
			}
		})
	}
}

// num is n as the JSON decoder (with UseNumber) gives a whole number back.
func num(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		t.Fatalf("JWT segment is not JSON: %v", err)
	}
}
