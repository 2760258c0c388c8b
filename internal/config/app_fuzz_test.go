package config

import (
	"regexp"
	"strings"
	"testing"
)

var bodyLine = regexp.MustCompile(`^[A-Za-z0-9+/=]{12,}$`)

// FuzzParsePrivateKey: whatever is pasted into private-key, parsing never
// panics and a refusal never quotes key material: no base64 line of the
// input (a PEM body line, 12 characters or more) appears in the error. The
// armour lines are public and the advice names them.
func FuzzParsePrivateKey(f *testing.F) {
	f.Add("-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n")
	f.Add(`-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq\n-----END PRIVATE KEY-----`)
	f.Add("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oqQ2E1lBTe9ZoAoGCCqGSM49\n-----END EC PRIVATE KEY-----")
	f.Add("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----")
	f.Add("LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlCT2dJQkFBSkJBS2ozNEdreEZoRDkwdmNOTFlMSW5GRVg2UHB5MXRQZjlDbnpqNHA0V0dlS0xzMVB0OFF1Ci0tLS0tRU5EIFJTQSBQUklWQVRFIEtFWS0tLS0tCg==") // the first, base64-encoded
	f.Add("/home/runner/work/app.pem")
	f.Add("ghp_notakeyButATokenPastedHere0123456789")
	f.Fuzz(func(t *testing.T, s string) {
		_, err := parsePrivateKey(s)
		if err == nil {
			return
		}
		msg := err.Error()
		for _, line := range strings.Split(NormalizeKey(s), "\n") {
			line = strings.TrimSpace(line)
			if bodyLine.MatchString(line) && strings.Contains(msg, line) {
				t.Fatalf("the error quotes a line of key material")
			}
		}
	})
}

// FuzzParseAppID: an app-id is refused without being echoed (a key or token
// pasted there must not reach the log).
func FuzzParseAppID(f *testing.F) {
	for _, s := range []string{"123456", "Iv23liSimulatorApp01", "Iv1.abcdef", "ghp_pastedTokenpastedToken0123", "-----BEGIN", "12 34"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := parseAppID("app-id", s); err != nil && len(s) >= 8 && strings.Contains(err.Error(), s) {
			t.Fatalf("the error echoes the app-id")
		}
	})
}
