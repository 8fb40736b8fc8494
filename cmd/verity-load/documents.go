package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// runDocuments is the memory test of issue 9: c.documents concurrent
// uploads of c.documentSize bytes each (BVNK's JSON body, base64, generated
// on the fly so the driver holds no file either), then as many concurrent
// downloads of what was stored, sampling the server's RSS all along.
func runDocuments(c config, pool []customerDoc) error {
	if len(pool) < c.documents {
		return fmt.Errorf("%d customers in the working set; the documents test wants one per upload (%d)", len(pool), c.documents)
	}
	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.documents * 2}, Timeout: 10 * time.Minute}
	stop := make(chan struct{})
	peak := make(chan int)
	go sampleRSS(c.pid, stop, peak)

	refs := make([]string, c.documents)
	start := time.Now()
	err := parallel(c.documents, func(i int) error {
		ref, err := uploadOne(cl, c, pool[i].Reference, i)
		refs[i] = ref
		return err
	})
	up := time.Since(start)
	if err != nil {
		close(stop)
		<-peak
		return err
	}
	var got atomic.Int64
	start = time.Now()
	err = parallel(c.documents, func(i int) error {
		n, err := downloadOne(cl, c, pool[i].Reference, refs[i])
		got.Add(n)
		return err
	})
	down := time.Since(start)
	close(stop)
	rssPeak := <-peak
	if err != nil {
		return err
	}
	total := float64(c.documents) * float64(c.documentSize) / (1 << 20)
	fmt.Printf("documents: %d concurrent uploads of %.1f MiB (JSON, base64): %.1f s, %.1f MiB/s\n", c.documents, float64(c.documentSize)/(1<<20), up.Seconds(), total/up.Seconds())
	fmt.Printf("documents: %d concurrent downloads: %.1f s, %.1f MiB/s (%d bytes back)\n", c.documents, down.Seconds(), float64(got.Load())/(1<<20)/down.Seconds(), got.Load())
	if c.pid > 0 {
		hwm, _ := peakRSS(c.pid)
		fmt.Printf("server RSS: peak sampled %.1f MB, VmHWM %.1f MB\n", float64(rssPeak)/1024, float64(hwm)/1024)
	}
	return nil
}

// parallel runs fn(0..n-1) at once and returns the first error.
func parallel(n int, fn func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// uploadOne streams one generated PNG-signed file of c.documentSize bytes
// as BVNK's JSON body and returns the stored document's reference.
func uploadOne(cl *http.Client, c config, customer string, i int) (string, error) {
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.WriteString(pw, fmt.Sprintf(`[{"type": "COMPANY_DOC", "subType": "PROOF_OF_ADDRESS", "name": "load-%d.png", "content": "`, i))
		enc := base64.NewEncoder(base64.StdEncoding, pw)
		_, _ = enc.Write([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(i)))
		buf := make([]byte, 64<<10)
		left := c.documentSize - 8
		for left > 0 {
			n := min(int64(len(buf)), left)
			for j := range buf[:n] {
				buf[j] = byte(rng.Uint32())
			}
			_, _ = enc.Write(buf[:n])
			left -= n
		}
		_ = enc.Close()
		_, _ = io.WriteString(pw, `"}]`)
		_ = pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, c.base+"/platform/v1/customers/"+customer+"/documents", pr)
	req.Header.Set("Authorization", "Bearer "+c.readKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := cl.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("upload: %d %s", res.StatusCode, body)
	}
	var out struct {
		Documents []struct {
			Reference string `json:"reference"`
		} `json:"documents"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Documents) != 1 {
		return "", fmt.Errorf("upload answer: %s", body)
	}
	return out.Documents[0].Reference, nil
}

// downloadOne reads a document's content and counts its bytes.
func downloadOne(cl *http.Client, c config, customer, ref string) (int64, error) {
	req, _ := http.NewRequest(http.MethodGet, c.base+"/platform/v1/customers/"+customer+"/documents/"+ref+"/content", nil)
	req.Header.Set("Authorization", "Bearer "+c.readKey)
	res, err := cl.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("download: %d", res.StatusCode)
	}
	n, err := io.Copy(io.Discard, res.Body)
	if err == nil && n != c.documentSize {
		err = fmt.Errorf("download: %d bytes, want %d", n, c.documentSize)
	}
	return n, err
}

// sampleRSS reads the server's VmRSS every 20 ms until stop closes, then
// sends the largest value seen (kB).
func sampleRSS(pid int, stop <-chan struct{}, peak chan<- int) {
	best := 0
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if kb := statusField(pid, "VmRSS:"); kb > best {
			best = kb
		}
		select {
		case <-stop:
			peak <- best
			return
		case <-t.C:
		}
	}
}

// statusField reads one "kB" field of /proc/PID/status; 0 when unreadable.
func statusField(pid int, field string) int {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			var kb int
			_, _ = fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, field)), "%d kB", &kb)
			return kb
		}
	}
	return 0
}
