package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// startNginx runs the deploy site with loopback ports, the instances' ports
// and a throwaway certificate put in place of the placeholders, after
// `nginx -t` accepts it.
func (c *cluster) startNginx(ctx context.Context) error {
	dir := filepath.Join(c.opts.work, "nginx")
	for _, d := range []string{"", "body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o777); err != nil {
			return err
		}
		_ = os.Chmod(filepath.Join(dir, d), 0o777) // workers may run as nobody
	}
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := selfSigned(cert, key); err != nil {
		return err
	}
	c.caFile = cert
	site, err := os.ReadFile(c.opts.site)
	if err != nil {
		return err
	}
	httpsPort, httpPort := c.opts.port+2, c.opts.port+3
	rendered, err := renderSite(string(site), map[string]string{
		"listen 443 ssl http2;":               fmt.Sprintf("listen 127.0.0.1:%d ssl http2;", httpsPort),
		"listen [::]:443 ssl http2;":          "",
		"listen 80;":                          fmt.Sprintf("listen 127.0.0.1:%d;", httpPort),
		"listen [::]:80;":                     "",
		"server 127.0.0.1:8081 ":              fmt.Sprintf("server 127.0.0.1:%d ", c.instances[0].port),
		"server 127.0.0.1:8082 ":              fmt.Sprintf("server 127.0.0.1:%d ", c.instances[1].port),
		"/etc/ssl/verity/fullchain.pem":       cert,
		"/etc/ssl/verity/privkey.pem":         key,
		"ssl_session_cache shared:verity_tls": "ssl_session_cache shared:verity_tls_test",
	})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "verity.conf"), []byte(rendered), 0o644); err != nil {
		return err
	}
	// The main context Debian's /etc/nginx/nginx.conf would give, in our directory.
	main := fmt.Sprintf(`worker_processes 2;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[1]s/verity.conf;
}
`, dir)
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(main), 0o644); err != nil {
		return err
	}
	if out, err := exec.CommandContext(ctx, c.opts.nginx, "-t", "-q", "-p", dir, "-c", conf).CombinedOutput(); err != nil {
		return fmt.Errorf("nginx -t refuses %s (rendered from %s): %v\n%s", conf, c.opts.site, err, out)
	}
	fmt.Printf("cluster: nginx -t accepts %s (ports and certificate paths replaced)\n", c.opts.site)
	cmd := exec.Command(c.opts.nginx, "-p", dir, "-c", conf, "-g", "daemon off;")
	log, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	c.nginx, c.nginxDone = cmd, make(chan error, 1)
	go func() { c.nginxDone <- cmd.Wait(); _ = log.Close() }()
	c.https = "https://127.0.0.1:" + strconv.Itoa(httpsPort)
	// Plain HTTP only redirects to HTTPS.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		res, err := noFollow.Get(fmt.Sprintf("http://127.0.0.1:%d/customers", httpPort))
		if err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(res.Header.Get("Location"), "https://") {
				return fmt.Errorf("nginx on plain HTTP answered %d %q, want a 301 to https://", res.StatusCode, res.Header.Get("Location"))
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nginx not answering after 20 s: %v; see %s", err, dir)
		}
	}
}

// renderSite replaces each placeholder, every one of which must be there:
// a site file that drifts from what the test runs fails here.
func renderSite(site string, repl map[string]string) (string, error) {
	for from, to := range repl {
		if !strings.Contains(site, from) {
			return "", fmt.Errorf("the nginx site no longer contains %q; update scripts/cluster/nginx.go", from)
		}
		site = strings.ReplaceAll(site, from, to)
	}
	return site, nil
}

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(certFile, keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "verity cluster test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
}
