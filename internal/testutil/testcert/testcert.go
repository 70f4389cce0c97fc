// Package testcert makes a throwaway certificate authority and a server
// certificate signed by it, for test servers on the loopback interface.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Bundle holds a test CA and a server certificate for "localhost",
// "127.0.0.1", "127.0.0.2" and "::1", valid from an hour ago for two days.
type Bundle struct {
	CACertPEM     []byte // the CA certificate, PEM; what a client trusts
	ServerCertPEM []byte // the server certificate, PEM
	ServerKeyPEM  []byte // the server's private key, PKCS #8 PEM
	Server        tls.Certificate
	caCert        *x509.Certificate
}

// New makes a fresh CA and server certificate (ECDSA P-256).
func New() (*Bundle, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "imapctl test CA", Organization: []string{"imapctl tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(48 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("testcert: CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	serverKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serverTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(48 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range []string{"localhost", "127.0.0.1", "127.0.0.2", "::1"} {
		if ip := net.ParseIP(h); ip != nil {
			serverTemplate.IPAddresses = append(serverTemplate.IPAddresses, ip)
		} else {
			serverTemplate.DNSNames = append(serverTemplate.DNSNames, h)
		}
	}
	serverDER, err := x509.CreateCertificate(rand.Reader, serverTemplate, caCert, &serverKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("testcert: server certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(serverKey)
	if err != nil {
		return nil, err
	}
	b := &Bundle{
		CACertPEM:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		ServerCertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: serverDER}),
		ServerKeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		caCert:        caCert,
	}
	b.Server, err = tls.X509KeyPair(b.ServerCertPEM, b.ServerKeyPEM)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// CertPool returns a new pool holding only the test CA, for a client's
// tls.Config.RootCAs.
func (b *Bundle) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(b.caCert)
	return pool
}

// ClientTLSConfig returns a client configuration that trusts only the test
// CA and expects the server name "localhost".
func (b *Bundle) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: b.CertPool(), ServerName: "localhost", MinVersion: tls.VersionTLS12}
}

// ServerTLSConfig returns a server configuration using the server
// certificate.
func (b *Bundle) ServerTLSConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{b.Server}, MinVersion: tls.VersionTLS12}
}
