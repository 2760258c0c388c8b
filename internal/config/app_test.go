package config

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"sync"
	"testing"
)

// testKey is generated once per test binary: no key file is checked in.
var testKey = sync.OnceValue(newTestKey)

func newTestKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func pkcs1(k *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

func pkcs8(t *testing.T, k any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestParsePrivateKeyAccepts(t *testing.T) {
	t.Parallel()
	k := testKey()
	p1 := pkcs1(k)
	cases := map[string]string{
		"PKCS#1 as GitHub generates it": p1,
		"PKCS#8":                        pkcs8(t, k),
		`\n escapes on one line`:        strings.ReplaceAll(strings.TrimSpace(p1), "\n", `\n`),
		`\r\n escapes`:                  strings.ReplaceAll(p1, "\n", `\r\n`),
		"CRLF line breaks":              strings.ReplaceAll(p1, "\n", "\r\n"),
		"surrounding blank lines":       "\n\n  " + p1 + "\n\n",
		"base64 of the PEM file":        base64.StdEncoding.EncodeToString([]byte(p1)),
		"base64, wrapped at 76 columns": wrap(base64.StdEncoding.EncodeToString([]byte(p1)), 76),
		"base64 without padding":        base64.RawStdEncoding.EncodeToString([]byte(p1 + "\n")),
		"base64 URL alphabet":           base64.URLEncoding.EncodeToString([]byte(p1)),
		"base64 of PKCS#8 with CRLF":    base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(pkcs8(t, k), "\n", "\r\n"))),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := parsePrivateKey(in)
			if err != nil {
				t.Fatalf("parsePrivateKey: %v", err)
			}
			if !got.Equal(k) {
				t.Error("parsed key differs from the generated one")
			}
		})
	}
}

func TestParsePrivateKeyRejects(t *testing.T) {
	t.Parallel()
	k := testKey()
	p1 := pkcs1(k)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(ec)
	pubDER, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	body := x509.MarshalPKCS1PrivateKey(k)
	damaged := append([]byte{}, body...)
	damaged = damaged[:len(damaged)/2]
	enc := func(b *pem.Block) string { return string(pem.EncodeToMemory(b)) }

	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "it is empty"},
		{"only the base64 body", strings.Join(strings.Split(strings.TrimSpace(p1), "\n")[1:5], "\n"), "it is not PEM, nor base64-encoded PEM (both were tried)"},
		{"base64 of something else", base64.StdEncoding.EncodeToString([]byte("not a key at all")), "it is not PEM, nor base64-encoded PEM (both were tried)"},
		{"base64 of a cut PEM", base64.StdEncoding.EncodeToString([]byte(p1[:len(p1)-40])), "PEM armour is broken (a missing END line or damaged lines?); pass the whole .pem file, from -----BEGIN to -----END (decoded from base64)"},
		{"base64 of a public key", base64.StdEncoding.EncodeToString([]byte(enc(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))), "it is a public key, not a private key"},
		{"a path", "./my-app.2026-01-01.private-key.pem", "looks like a file name"},
		{"END line cut off", p1[:len(p1)-40], "PEM armour is broken"},
		{"legacy encrypted PEM", enc(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"}, Bytes: body}), "encrypted with a passphrase"},
		{"PKCS#8 encrypted", enc(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: body}), "encrypted with a passphrase"},
		{"PKCS#8 holding ECDSA", pkcs8(t, ec), "PKCS#8 ECDSA key, not RSA"},
		{"PKCS#8 holding Ed25519", pkcs8(t, ed), "PKCS#8 Ed25519 key, not RSA"},
		{"SEC1 EC key", enc(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}), `an "EC PRIVATE KEY", not a GitHub App key`},
		{"OpenSSH key", enc(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: body}), `an "OPENSSH PRIVATE KEY"`},
		{"public key", enc(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), "it is a public key, not a private key"},
		{"certificate", enc(&pem.Block{Type: "CERTIFICATE", Bytes: body}), "it is a certificate, not a private key"},
		{"damaged body", enc(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: damaged}), `its "RSA PRIVATE KEY" block does not decode`},
		{"PKCS#8 label on PKCS#1 bytes", enc(&pem.Block{Type: "PRIVATE KEY", Bytes: body}), `its "PRIVATE KEY" block does not decode`},
		{"unknown block", enc(&pem.Block{Type: "SOMETHING ELSE", Bytes: body}), `its PEM block is "SOMETHING ELSE"`},
		{"block type that is not a name", enc(&pem.Block{Type: "x{y}", Bytes: body}), "its PEM block is unrecognised"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parsePrivateKey(tc.in)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.HasPrefix(err.Error(), "input private-key is not a usable GitHub App private key: ") {
				t.Errorf("error %q does not say that input private-key is not a usable key", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				// The error is safe to show: it never holds key material.
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			assertNoKeyMaterial(t, err.Error(), tc.in)
		})
	}
}

// assertNoKeyMaterial fails if msg holds any line of the input's body.
func assertNoKeyMaterial(t *testing.T, msg, in string) {
	t.Helper()
	for _, line := range strings.Split(NormalizeKey(in), "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(msg, line) {
			t.Errorf("the error contains a line of the key")
		}
	}
}

func TestParseAppID(t *testing.T) {
	t.Parallel()
	ok := map[string]string{
		"123456":               "123456",
		"0042":                 "42",
		"Iv23liAbCdEfGh012345": "Iv23liAbCdEfGh012345",
		"Iv1.8a61f9b3a7aba766": "Iv1.8a61f9b3a7aba766",
	}
	for in, want := range ok {
		if got, err := parseAppID("app-id", in); err != nil || got != want {
			t.Errorf("parseAppID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	secretish := strings.Split(pkcs1(testKey()), "\n")[3]
	for _, in := range []string{"0", "-5", "my-runner-app", "Ov23liOAuthAppNotGitHubApp", "Iv", "12 34", secretish} {
		_, err := parseAppID("app-id", in)
		if err == nil || !strings.Contains(err.Error(), "neither an App ID") {
			t.Errorf("parseAppID(%.12q) error = %v", in, err)
		}
		if err != nil && len(in) > 4 && strings.Contains(err.Error(), in) {
			t.Errorf("parseAppID(%.12q) echoes its input", in)
		}
	}
}

// wrap breaks s into lines of n characters, as base64(1) does.
func wrap(s string, n int) string {
	var lines []string
	for len(s) > n {
		lines = append(lines, s[:n])
		s = s[n:]
	}
	return strings.Join(append(lines, s), "\n") + "\n"
}
