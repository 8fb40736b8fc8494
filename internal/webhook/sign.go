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
	var sum [sha256.Size]byte
	return hex.EncodeToString(m.Sum(sum[:0]))
}

// StandardSignature is one webhook-signature value of the Standard Webhooks
// specification: v1, and base64 HMAC-SHA256 of "id.timestamp.body" keyed
// with the secret's decoded bytes.
func StandardSignature(secret, id string, ts int64, body []byte) string {
	return string(appendStandard(nil, secret, id, strconv.FormatInt(ts, 10), body))
}

// appendStandard appends StandardSignature's value (ts in decimal) to b.
func appendStandard(b []byte, secret, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secretKey(secret))
	var head [128]byte
	m.Write(append(append(append(append(head[:0], id...), '.'), ts...), '.'))
	m.Write(body)
	var sum [sha256.Size]byte
	b = append(b, "v1,"...)
	return base64.StdEncoding.AppendEncode(b, m.Sum(sum[:0]))
}

// signaturePath is the path BVNK's x-signature covers: the request's path as
// the receiver sees it ("/" when the URL has none).
func signaturePath(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// sign sets a delivery's signature headers on a request to u. secrets are
// the current one first and, during a rotation, the previous one: both sign
// the Standard Webhooks header; x-signature (one value by BVNK's scheme)
// uses the current one and x-signature-previous the previous one. The
// headers are set under the canonical names net/http sends them by.
func sign(h http.Header, u *url.URL, eventID string, at time.Time, body []byte, secrets ...string) {
	ts := strconv.FormatInt(at.Unix(), 10)
	h["Content-Type"] = []string{ContentType}
	h["Webhook-Id"] = []string{eventID}
	h["Webhook-Timestamp"] = []string{ts}
	path := signaturePath(u)
	std := make([]byte, 0, 48*len(secrets))
	for i, s := range secrets {
		if i > 0 {
			std = append(std, ' ')
		}
		std = appendStandard(std, s, eventID, ts, body)
		switch i {
		case 0:
			h["X-Signature"] = []string{BVNKSignature(s, path, ContentType, body)}
		case 1:
			h["X-Signature-Previous"] = []string{BVNKSignature(s, path, ContentType, body)}
		}
	}
	h["Webhook-Signature"] = []string{string(std)}
}
