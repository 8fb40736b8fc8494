package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// sink is a local webhook receiver: it answers 200 and keeps, per event,
// how long after the change (the envelope's timestamp) it arrived. It stands
// for the subscriber's system, which in a deployment runs elsewhere, so it
// is as lean as a real minimal receiver can be: it reads the whole body into
// a reused buffer, finds the eventId and timestamp in the envelope's head,
// and counts repeats by the id's bytes, without copying the body again.
type sink struct {
	mu   sync.Mutex
	lag  []time.Duration
	seen map[[36]byte]struct{}
	dups int
	srv  *http.Server
	url  string
}

// bodies are the receiver's reused read buffers.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func startSink() (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{seen: map[[36]byte]struct{}{}, url: "http://" + ln.Addr().String() + "/hook"}
	s.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(s.receive)}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// receive takes one delivery.
func (s *sink) receive(_ http.ResponseWriter, r *http.Request) {
	now := time.Now()
	buf := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return
	}
	b := buf.Bytes()
	// the envelope's head is {"event":…,"eventId":"…","timestamp":"…"
	var id [36]byte
	copy(id[:], field(b, `"eventId":"`))
	at, _ := time.Parse(time.RFC3339Nano, string(field(b, `"timestamp":"`)))
	s.mu.Lock()
	if _, dup := s.seen[id]; dup {
		s.dups++
	} else {
		s.seen[id] = struct{}{}
		s.lag = append(s.lag, now.Sub(at))
	}
	s.mu.Unlock()
}

// field is the text after key in b, up to the next quote.
func field(b []byte, key string) []byte {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return nil
	}
	rest := b[i+len(key):]
	if j := bytes.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return nil
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lag)
}

// report prints the delivery lag once the receiver has had all of `want`
// events, or nothing new for 5 s.
func (s *sink) report(want int) {
	last, lastAt := -1, time.Now()
	for {
		n := s.count()
		if n >= want || time.Since(lastAt) > 5*time.Second {
			break
		}
		if n != last {
			last, lastAt = n, time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lag := append([]time.Duration(nil), s.lag...)
	sort.Slice(lag, func(i, j int) bool { return lag[i] < lag[j] })
	p := func(q float64) float64 {
		if len(lag) == 0 {
			return 0
		}
		return ms(lag[int(q*float64(len(lag)-1))])
	}
	fmt.Printf("webhooks: %d of %d events delivered (%d duplicates); lag from change to receipt p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
		len(lag), want, s.dups, p(0.50), p(0.99), p(1))
}

// subscribe registers the sink for data-updated through the API (admin
// key); the answer is the endpoint's id, for unsubscribe.
func subscribe(cl *http.Client, c config, url string) (string, error) {
	body, _ := json.Marshal(map[string]any{"url": url, "events": []string{"platform:accounts:customer:data-updated"}})
	req, _ := http.NewRequest("POST", c.base+"/platform/v1/webhooks", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.adminKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := cl.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var ep struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(res.Body).Decode(&ep); err != nil || res.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("register the webhook sink: status %d %v (is WEBHOOK_ALLOW_PRIVATE=true set on the server?)", res.StatusCode, err)
	}
	return ep.ID, nil
}

func unsubscribe(cl *http.Client, c config, id string) {
	req, _ := http.NewRequest("DELETE", c.base+"/platform/v1/webhooks/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+c.adminKey)
	if res, err := cl.Do(req); err == nil {
		res.Body.Close()
	}
}
