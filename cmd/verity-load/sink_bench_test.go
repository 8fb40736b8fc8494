package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// BenchmarkSink posts deliveries shaped like data-updated events (2.6 KB,
// the signature headers) to the benchmark's receiver over loopback: the
// client's share is the same whatever the receiver does, so comparing two
// receivers' CPU per op (perf stat, or -cpuprofile) shows the receiver's
// difference. It prints figures and asserts nothing.
func BenchmarkSink(b *testing.B) {
	s, err := startSink()
	if err != nil {
		b.Fatal(err)
	}
	defer s.srv.Close()
	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	at := time.Now().UTC().Format(time.RFC3339Nano)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := []byte(`{"event":"platform:accounts:customer:data-updated","eventId":"` + uuid.NewString() + `","timestamp":"` + at +
				`","data":{"description":"` + strings.Repeat("x", 2500) + `"}}`)
			req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
			for _, h := range []string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature", "X-Signature"} {
				req.Header[h] = []string{"v1,0123456789abcdef0123456789abcdef0123456789abcdef"}
			}
			res, err := cl.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			res.Body.Close()
		}
	})
}
