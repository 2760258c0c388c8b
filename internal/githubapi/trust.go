package githubapi

import (
	"crypto/x509"
	"fmt"
)

// TrustedRoots returns the certificates the action trusts: the system's,
// plus every certificate in the PEM file SSL_CERT_FILE names, if set. Go
// itself reads SSL_CERT_FILE only on Linux and the other Unix systems
// without a platform verifier; loading it here makes a private CA work the
// same on macOS (the local demo and the tests) as in the container.
//
// A set SSL_CERT_FILE that cannot be read, or that holds no certificate, is
// an error: the user meant to trust something, and a request that then fails
// with "certificate signed by unknown authority" would not say why.
func TrustedRoots(getenv func(string) string, readFile func(string) ([]byte, error)) (*x509.CertPool, error) {
	return trustedRoots(x509.SystemCertPool, getenv, readFile)
}

func trustedRoots(system func() (*x509.CertPool, error), getenv func(string) string, readFile func(string) ([]byte, error)) (*x509.CertPool, error) {
	pool, err := system()
	if err != nil || pool == nil {
		pool = x509.NewCertPool() // no system roots at all
	}
	name := getenv("SSL_CERT_FILE")
	if name == "" {
		return pool, nil
	}
	pemBytes, err := readFile(name)
	if err != nil {
		return nil, fmt.Errorf("SSL_CERT_FILE: cannot read the CA certificates to trust: %w", err)
	}
	// Like Go's own loader, skip what does not parse and keep the rest.
	if !pool.AppendCertsFromPEM(pemBytes) {
		return nil, fmt.Errorf("SSL_CERT_FILE %s holds no PEM certificate (-----BEGIN CERTIFICATE-----) that parses", name)
	}
	return pool, nil
}
