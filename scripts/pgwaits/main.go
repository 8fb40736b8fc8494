// Command pgwaits samples pg_stat_activity every -every (10 ms) for the
// backends of one application_name while a process runs, and prints what
// those connections were doing: running (CPU), waiting on a named wait
// event (LWLock:WALWrite, IO:WALSync, Lock:…), waiting for their client
// inside a transaction (Client:ClientRead, "idle in transaction": the
// database waits for verity), or idle between transactions. Each share is
// of all the samples of all the connections, with the mean number of
// connections in that state. scripts/bench-import.sh runs it with
// IMPORT_WAITS=1.
//
//	go run ./scripts/pgwaits -dsn "host=… dbname=verity" -app verity-import -pid 1234
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"

	_ "github.com/lib/pq"
)

const sampleSQL = `
SELECT state, coalesce(wait_event_type, ''), coalesce(wait_event, '')
FROM pg_stat_activity
WHERE application_name = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`

func main() {
	dsn := flag.String("dsn", "", "PostgreSQL connection string")
	app := flag.String("app", "verity-import", "application_name of the connections to sample")
	every := flag.Duration("every", 10*time.Millisecond, "sampling interval")
	pid := flag.Int("pid", 0, "sample while this process runs (0: until SIGINT or SIGTERM)")
	flag.Parse()
	db, err := sql.Open("postgres", *dsn)
	if err != nil {
		fail(err)
	}
	db.SetMaxOpenConns(1)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	done := func() bool {
		select {
		case <-stop:
			return true
		default:
		}
		return *pid != 0 && syscall.Kill(*pid, 0) != nil
	}
	counts, samples, seen, err := sample(db, *app, *every, done)
	if err != nil {
		fail(err)
	}
	if samples == 0 {
		fmt.Println("pgwaits: no connection of", *app, "seen")
		return
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return counts[keys[i]] > counts[keys[j]] })
	fmt.Printf("pgwaits: %d samples every %s, %.2f connections of %s on average\n", samples, *every, float64(seen)/float64(samples), *app)
	for _, k := range keys {
		fmt.Printf("pgwaits: %5.1f%%  %.2f connections  %s\n", 100*float64(counts[k])/float64(seen), float64(counts[k])/float64(samples), k)
	}
}

// sample counts, every interval until done, what each connection of app is
// doing; samples counts the samples that saw one, seen the connections seen.
func sample(db *sql.DB, app string, every time.Duration, done func() bool) (counts map[string]int, samples, seen int, err error) {
	st, err := db.Prepare(sampleSQL)
	if err != nil {
		return nil, 0, 0, err
	}
	defer st.Close()
	counts = map[string]int{}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for !done() {
		<-tick.C
		rows, err := st.Query(app)
		if err != nil {
			return nil, 0, 0, err
		}
		n := 0
		for rows.Next() {
			var state, typ, ev string
			if err := rows.Scan(&state, &typ, &ev); err != nil {
				rows.Close()
				return nil, 0, 0, err
			}
			counts[label(state, typ, ev)]++
			n++
		}
		rows.Close()
		if n > 0 {
			samples++
			seen += n
		}
	}
	return counts, samples, seen, nil
}

// label names what a connection was doing.
func label(state, typ, ev string) string {
	switch {
	case state == "active" && typ == "":
		return "running (CPU)"
	case state == "active":
		return "active, waiting " + typ + ":" + ev
	case state == "idle in transaction":
		return "idle in transaction (waiting for the client between statements)"
	case state == "idle":
		return "idle (no transaction open)"
	}
	return state + " " + typ + ":" + ev
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pgwaits:", err)
	os.Exit(1)
}
