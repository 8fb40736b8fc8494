package webhook_test

// The receiver-side verification of docs/webhooks.md, verbatim between the
// markers (TestDocsCarryTheVerifyExample keeps the two the same).

// --- docs example begin ---
import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// VerifyStandard checks the Standard Webhooks headers of a delivery: the
// timestamp within 5 minutes of now, and one v1 signature made with secret
// ("whsec_…") over "webhook-id.webhook-timestamp.body".
func VerifyStandard(secret string, h http.Header, body []byte, now time.Time) error {
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return errors.New("stale or missing webhook-timestamp")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		got, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sig, "v1,"))
		if err == nil && strings.HasPrefix(sig, "v1,") && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no valid webhook-signature")
}

// VerifyBVNK checks x-signature as BVNK computes it: hex HMAC-SHA256, keyed
// with the secret as shown, over the request path, content type and body.
func VerifyBVNK(secret string, r *http.Request, body []byte) error {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(r.URL.Path + r.Header.Get("Content-Type")))
	mac.Write(body)
	got, err := hex.DecodeString(r.Header.Get("x-signature"))
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return errors.New("bad x-signature")
	}
	return nil
}

// --- docs example end ---
