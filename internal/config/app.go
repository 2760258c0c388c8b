package config

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// App is a GitHub App as the inputs give it: its App ID or Client ID (either
// is the JWT's issuer) and its private key.
type App struct {
	ID  string
	Key *rsa.PrivateKey
}

// NormalizeKey returns the PEM text a user meant: secrets stores and YAML
// often turn a key's line breaks into literal \n (or \r\n) escapes, or into
// CRLF. A PEM body never holds a backslash, so unescaping cannot damage it.
func NormalizeKey(s string) string {
	s = strings.NewReplacer(`\r\n`, "\n", `\n`, "\n", `\r`, "\n", "\r\n", "\n", "\r", "\n").Replace(s)
	return strings.TrimSpace(s)
}

// decodeBase64Key returns the PEM text a base64-encoded key holds (a common
// way to keep a PEM file in a secret store), normalized as NormalizeKey
// does; ok is false when s is not base64 of PEM text, and pemText is then
// not for use. Line breaks and blanks in s are ignored, as base64 tools
// wrap their output.
func decodeBase64Key(s string) (pemText string, ok bool) {
	s = NormalizeKey(s)
	if strings.Contains(s, "-----") { // PEM already
		return "", false
	}
	s = strings.Join(strings.Fields(s), "")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			t := NormalizeKey(string(b))
			return t, strings.HasPrefix(t, "-----BEGIN ")
		}
	}
	return "", false
}

// parsePrivateKey reads a GitHub App private key: the .pem file GitHub
// generates (PKCS#1, "RSA PRIVATE KEY") or the same key converted to PKCS#8
// ("PRIVATE KEY"), with real line breaks or \n escapes, or that PEM text
// base64-encoded.
func parsePrivateKey(s string) (*rsa.PrivateKey, error) {
	pemText, decoded := decodeBase64Key(s)
	if !decoded {
		pemText = NormalizeKey(s)
	}
	key, err := parsePEMKey(pemText)
	if err != nil && decoded {
		err = fmt.Errorf("%w (decoded from base64)", err)
	}
	if err != nil {
		// No such error ever holds any part of the key: only what is wrong
		// with it and what to do.
		return nil, fmt.Errorf("input private-key is not a usable GitHub App private key: %w", err)
	}
	return key, nil
}

// parsePEMKey is parsePrivateKey for PEM text, normalized.
func parsePEMKey(s string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New(notPEM(s))
	}
	if _, encrypted := block.Headers["Proc-Type"]; encrypted || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, errors.New("it is encrypted with a passphrase; pass the unencrypted key exactly as GitHub generated it")
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, fmt.Errorf("it is a %s, not a private key; generate a private key in the app's settings (Private keys) and pass the whole .pem file", strings.ToLower(block.Type))
	case "OPENSSH PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY":
		return nil, fmt.Errorf("it is an %s, not a GitHub App key (GitHub Apps sign with RSA); generate a private key in the app's settings", shownType(block.Type))
	default:
		return nil, fmt.Errorf("its PEM block is %s, not \"RSA PRIVATE KEY\" or \"PRIVATE KEY\"", shownType(block.Type))
	}
	if err != nil {
		// x509's errors describe ASN.1 structure, which helps nobody here.
		return nil, fmt.Errorf("its %q block does not decode as an RSA private key; it may have been cut or altered when copied into the secret", block.Type)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("it is a PKCS#8 %s key, not RSA (GitHub Apps sign with RSA); generate a private key in the app's settings", algorithm(key))
	}
	if err := rsaKey.Validate(); err != nil {
		return nil, errors.New("the RSA key is inconsistent (damaged when copied?)")
	}
	return rsaKey, nil
}

// notPEM says what the input looks like instead, without quoting it.
func notPEM(s string) string {
	switch {
	case s == "":
		return "it is empty"
	case strings.Contains(s, "-----BEGIN"):
		return "its PEM armour is broken (a missing END line or damaged lines?); pass the whole .pem file, from -----BEGIN to -----END"
	case !strings.ContainsAny(s, " \n") && strings.HasSuffix(strings.ToLower(s), ".pem"):
		return "it looks like a file name; pass the key's contents (e.g. private-key: ${{ secrets.APP_PRIVATE_KEY }}), not a path"
	}
	return "it is not PEM, nor base64-encoded PEM (both were tried); pass the whole .pem file GitHub generated, including the -----BEGIN RSA PRIVATE KEY----- and -----END RSA PRIVATE KEY----- lines, or that file base64-encoded"
}

var pemType = regexp.MustCompile(`^[A-Z0-9 ]{1,40}$`)

// shownType quotes a PEM type only when it is plainly a type name: the
// armour line is part of the input and must not become a way to echo it.
func shownType(t string) string {
	if pemType.MatchString(t) {
		return strconv.Quote(t)
	}
	return "unrecognised"
}

func algorithm(key any) string {
	switch key.(type) {
	case *ecdsa.PrivateKey:
		return "ECDSA"
	case ed25519.PrivateKey:
		return "Ed25519"
	}
	return "non-RSA"
}

// clientID is the shape of a GitHub App's Client ID (Iv1.… or Iv23li…).
var clientID = regexp.MustCompile(`^Iv[0-9A-Za-z._-]{1,98}$`)

// parseAppID accepts a GitHub App's App ID (digits) or its Client ID, from
// input name (app-id or client-id); either is the JWT's issuer. The value
// is not echoed on error: a key pasted into the wrong input must not reach
// the log.
func parseAppID(name, s string) (string, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return strconv.FormatInt(n, 10), nil
	}
	if clientID.MatchString(s) {
		return s, nil
	}
	return "", fmt.Errorf("input %s is neither an App ID (digits, e.g. 123456) nor a Client ID (e.g. Iv23liAbCdEf…): copy one from the GitHub App's settings page (not its name or slug)", name)
}
