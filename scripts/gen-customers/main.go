// Command gen-customers writes realistic generated customers as JSON Lines in
// the shape `verity import` reads — the same generator `verity seed --demo`
// uses — so imports can be timed (make bench with BENCH_IMPORT=1).
//
//	go run ./scripts/gen-customers -n 100000 -seed 42 > customers.jsonl
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/verity-kyb/verity/internal/seed"
)

func main() {
	n := flag.Int("n", 1000, "how many customers")
	s := flag.Int64("seed", 42, "random seed (the same seed gives the same customers on the same UTC day)")
	flag.Parse()
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	err := seed.Generate(w, *s, *n)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-customers:", err)
		os.Exit(1)
	}
}
