package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ContentType is the content type of every delivery (part of x-signature).
const ContentType = "application/json"

// secretPrefix marks a Standard Webhooks secret: whsec_ and base64 of the key.
const secretPrefix = "whsec_"

// NewSecret makes a signing secret: whsec_ and 32 random bytes in base64.
func NewSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return secretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// secretKey is the HMAC key of a Standard Webhooks signature: the bytes the
// secret's base64 part encodes.
func secretKey(secret string) []byte {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil {
		return []byte(secret)
	}
	return k
}

// BVNKSignature is the x-signature header as BVNK computes it: hex
// HMAC-SHA256, keyed with the secret as shown, over the URL's path, the
// content type and the raw body, concatenated.
func BVNKSignature(secret, path, contentType string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(path))
	m.Write([]byte(contentType))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// StandardSignature is one webhook-signature value of the Standard Webhooks
// specification: v1, and base64 HMAC-SHA256 of "id.timestamp.body" keyed
// with the secret's decoded bytes.
func StandardSignature(secret, id string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secretKey(secret))
	m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// signaturePath is the path BVNK's x-signature covers: the request's path as
// the receiver sees it ("/" when the URL has none).
func signaturePath(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.EscapedPath() == "" {
		return "/"
	}
	return u.EscapedPath()
}

// sign sets a delivery's signature headers. secrets are the current one
// first and, during a rotation, the previous one: both sign the Standard
// Webhooks header; x-signature (one value by BVNK's scheme) uses the
// current one and x-signature-previous the previous one.
func sign(h http.Header, endpoint, eventID string, at time.Time, body []byte, secrets ...string) {
	ts := at.Unix()
	h.Set("Content-Type", ContentType)
	h.Set("webhook-id", eventID)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	path := signaturePath(endpoint)
	var std []string
	for i, s := range secrets {
		std = append(std, StandardSignature(s, eventID, ts, body))
		switch i {
		case 0:
			h.Set("x-signature", BVNKSignature(s, path, ContentType, body))
		case 1:
			h.Set("x-signature-previous", BVNKSignature(s, path, ContentType, body))
		}
	}
	h.Set("webhook-signature", strings.Join(std, " "))
}
