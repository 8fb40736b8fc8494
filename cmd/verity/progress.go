package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// progress shows how far an import has read: on a terminal one line
// rewritten in place, otherwise a plain line every interval.
type progress struct {
	out   io.Writer
	tty   bool
	size  int64 // bytes in the input, 0 when unknown (standard input)
	read  *atomic.Int64
	lines atomic.Int64
	start time.Time
}

// run starts the display; the returned stop ends it (once) and, on a
// terminal, ends the rewritten line.
func (p *progress) run(every time.Duration) (stop func()) {
	if p.tty {
		every = 500 * time.Millisecond
	}
	if every <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				p.print(now)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			if p.tty {
				p.print(time.Now())
				fmt.Fprintln(p.out)
			}
		})
	}
}

func (p *progress) print(now time.Time) {
	line := p.line(now.Sub(p.start), p.lines.Load(), p.read.Load())
	if p.tty {
		fmt.Fprintf(p.out, "\r\033[K%s", line)
		return
	}
	fmt.Fprintln(p.out, line)
}

// line is the progress text after elapsed: lines read, the rate and, when
// the input's size is known, the share done and the time left.
func (p *progress) line(elapsed time.Duration, lines, read int64) string {
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(lines) / s
	}
	out := fmt.Sprintf("import: %s lines read, %s lines/s", thousands(int(lines)), thousands(int(rate+0.5)))
	if p.size > 0 && read > 0 {
		done := float64(read) / float64(p.size)
		left := time.Duration(float64(elapsed) * (1 - done) / done).Round(time.Second)
		out += fmt.Sprintf(", %.0f%%, ETA %s", done*100, left)
	}
	return out
}
