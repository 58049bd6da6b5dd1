package kubetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// NewUser mints a fresh client-certificate identity (CN=name) signed by the test
// environment's CA and writes a kubeconfig for it whose context is named context. A
// fresh identity per scenario keeps RBAC grants and audit-log assertions of concurrent
// tests apart.
func (e *Env) NewUser(t testing.TB, name, context string) User {
	t.Helper()
	certPEM, keyPEM, err := e.signClientCert(name)
	if err != nil {
		t.Fatalf("kubetest: client certificate for %s: %v", name, err)
	}
	caPEM, err := os.ReadFile(e.CAFile)
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["gfenroll-testenv"] = &clientcmdapi.Cluster{Server: e.URL, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{ClientCertificateData: certPEM, ClientKeyData: keyPEM}
	cfg.Contexts[context] = &clientcmdapi.Context{Cluster: "gfenroll-testenv", AuthInfo: name}
	cfg.CurrentContext = context
	path := filepath.Join(t.TempDir(), "kubeconfig-"+name)
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatalf("kubetest: write kubeconfig: %v", err)
	}
	return User{Name: name, Kubeconfig: path, Context: context}
}

func (e *Env) signClientCert(cn string) (certPEM, keyPEM []byte, err error) {
	caCert, caKey, err := e.loadCA()
	if err != nil {
		return nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

func (e *Env) loadCA() (*x509.Certificate, any, error) {
	certPEM, err := os.ReadFile(e.CAFile)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(e.caKeyFile)
	if err != nil {
		return nil, nil, err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, nil, fmt.Errorf("CA files %s / %s are not PEM", e.CAFile, e.caKeyFile)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("parse CA certificate: %w", err)
	}
	key, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		if k, err2 := x509.ParsePKCS1PrivateKey(kb.Bytes); err2 == nil {
			return cert, k, nil
		}
		return nil, nil, fmt.Errorf("parse CA key: %w", err)
	}
	return cert, key, nil
}
