package githubapi

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"runtime"
)

// goReadsSSLCertFile says whether Go's own system roots include the file
// SSL_CERT_FILE names: on Linux and the other Unix systems they do; on
// macOS and Windows Go asks the platform and ignores the variable.
var goReadsSSLCertFile = runtime.GOOS != "darwin" && runtime.GOOS != "ios" && runtime.GOOS != "windows"

// trustedRoots returns the certificates the action trusts, for
// tls.Config.RootCAs: the system's, plus every certificate in the PEM file
// SSL_CERT_FILE names, if set. Where Go reads SSL_CERT_FILE itself
// (goReadsIt: in the container) it returns nil, for Go's own pool, so that
// the file is parsed once, lazily; elsewhere (macOS: the local demo and the
// tests) it loads the file into a copy of the system pool, so a private CA
// works the same.
//
// A set SSL_CERT_FILE that cannot be read, or that holds no certificate, is
// an error: the user meant to trust something, and a request that then fails
// with "certificate signed by unknown authority" would not say why.
func trustedRoots(system func() (*x509.CertPool, error), getenv func(string) string, readFile func(string) ([]byte, error), goReadsIt bool) (*x509.CertPool, error) {
	var pemBytes []byte
	if name := getenv("SSL_CERT_FILE"); name != "" {
		var err error
		if pemBytes, err = readFile(name); err != nil {
			return nil, fmt.Errorf("SSL_CERT_FILE: cannot read the CA certificates to trust: %w", err)
		}
		if !holdsCertificate(pemBytes) {
			return nil, fmt.Errorf("SSL_CERT_FILE %s holds no PEM certificate (-----BEGIN CERTIFICATE-----) that parses", name)
		}
	}
	if goReadsIt {
		return nil, nil
	}
	// SSL_CERT_FILE's certificates, if set, on top of the system's: like
	// Go's own loader, skip what does not parse and keep the rest.
	pool, err := system()
	if err != nil || pool == nil {
		pool = x509.NewCertPool() // no system roots at all
	}
	pool.AppendCertsFromPEM(pemBytes)
	return pool, nil
}

// holdsCertificate says whether pemBytes has a certificate that parses. It
// stops at the first: a bundle of hundreds costs one parse.
func holdsCertificate(pemBytes []byte) bool {
	for len(pemBytes) > 0 {
		var block *pem.Block
		block, pemBytes = pem.Decode(pemBytes)
		if block == nil {
			return false
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err == nil {
			return true
		}
	}
	return false
}
