package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// blockProfile records, when path is set (IMPORT_BLOCKPROFILE), where the
// import's goroutines waited — the reader for a free worker, a worker for
// its next batch, a lock — and writes it as a pprof block profile when the
// answered stop runs (`go tool pprof -top verity FILE`). Waits on the
// database's answers are network waits, which a block profile does not
// count: they are PostgreSQL's side (scripts/pgwaits).
func blockProfile(path string) (stop func() error) {
	if path == "" {
		return func() error { return nil }
	}
	runtime.SetBlockProfileRate(1)
	return func() error {
		runtime.SetBlockProfileRate(0)
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("block profile: %w", err)
		}
		if err := pprof.Lookup("block").WriteTo(f, 0); err != nil {
			f.Close()
			return fmt.Errorf("block profile: %w", err)
		}
		return f.Close()
	}
}
