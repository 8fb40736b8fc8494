package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lib/pq"
)

// verify checks the run against the database (every acknowledged write
// present, in the audit exactly once) and the servers' own counters (list
// traffic reached the replica).
func (c *cluster) verify(ctx context.Context, l *load, stats *loadStats, before, after xactCounts) error {
	var problems []error
	n, failed, _ := stats.total()
	if failed > 0 {
		problems = append(problems, fmt.Errorf("%d of %d requests failed", failed, n))
	}
	if len(c.restarts) != len(c.instances) {
		problems = append(problems, fmt.Errorf("%d of %d instances were restarted during the load", len(c.restarts), len(c.instances)))
	}

	// Creates: one customer and one audit entry per acknowledged key.
	var refs []string
	for _, ac := range l.api {
		for _, ref := range ac.created {
			refs = append(refs, ref)
		}
	}
	var rows, audits int
	if err := c.pdb.GetContext(ctx, &rows, `SELECT count(*) FROM customers WHERE name LIKE $1`, l.tag+" load %"); err != nil {
		return err
	}
	if err := c.pdb.GetContext(ctx, &audits, `SELECT count(*) FROM audit_entries a JOIN customers c ON c.id = a.customer_id
WHERE a.action = 'customer.create' AND c.reference = ANY($1::uuid[])`, pq.Array(refs)); err != nil {
		return err
	}
	fmt.Printf("cluster: creates: %d acknowledged, %d customers in the database, %d create entries in the audit\n", len(refs), rows, audits)
	if rows != len(refs) || audits != len(refs) {
		problems = append(problems, errors.New("creates: acknowledged, stored and audited counts differ (a lost or doubled write)"))
	}

	// Updates: one audit entry per acknowledged PUT, and the last one won.
	var owned []string
	acked, lost := 0, 0
	for _, ac := range l.api {
		acked += ac.updates
		for ref, desc := range ac.last {
			owned = append(owned, ref)
			var got string
			if err := c.pdb.GetContext(ctx, &got, `SELECT coalesce(description, '') FROM customers WHERE reference = $1`, ref); err != nil {
				return err
			}
			if got != desc {
				lost++
			}
		}
	}
	var updates int
	if err := c.pdb.GetContext(ctx, &updates, `SELECT count(*) FROM audit_entries a JOIN customers c ON c.id = a.customer_id
WHERE a.action = 'customer.update' AND c.reference = ANY($1::uuid[])`, pq.Array(owned)); err != nil {
		return err
	}
	fmt.Printf("cluster: updates: %d acknowledged, %d update entries in the audit, %d customers not holding their last acknowledged value\n", acked, updates, lost)
	if updates != acked || lost > 0 {
		problems = append(problems, errors.New("updates: acknowledged and audited counts differ, or a last write is missing"))
	}

	// The replica served list traffic; the instances both served requests.
	lists := 0
	for _, o := range stats.ops {
		if strings.Contains(o.name, "list") || strings.Contains(o.name, "search") {
			lists += o.n - o.failed
		}
	}
	var replicaSessions int
	if err := c.rdb.GetContext(ctx, &replicaSessions, `SELECT count(*) FROM pg_stat_activity
WHERE datname = 'verity' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`); err != nil {
		return err
	}
	dp, dr := after.primary-before.primary, after.replica-before.replica
	fmt.Printf("cluster: transactions during the load: primary %d, replica %d (for %d list and search requests); %d instance sessions open on the replica now\n",
		dp, dr, lists, replicaSessions)
	if dr < int64(lists) {
		problems = append(problems, fmt.Errorf("the replica committed %d transactions for %d list and search requests: lists are not reading it", dr, lists))
	}
	if absorbed, err := upstreamErrors(filepath.Join(c.opts.work, "nginx", "error.log")); err == nil {
		fmt.Printf("cluster: nginx met %d upstream errors (refused or cut connections during the restarts) and passed those requests to the other instance\n", absorbed)
	}
	for _, in := range c.instances {
		served, pages, err := servedBy(in.log)
		if err != nil {
			return err
		}
		fmt.Printf("cluster: instance :%d served %d requests, %d of them signed-in pages\n", in.port, served, pages)
		if pages == 0 {
			problems = append(problems, fmt.Errorf("instance :%d served no page: sessions did not hop between instances", in.port))
		}
	}
	return errors.Join(problems...)
}

// upstreamErrors counts nginx's failed attempts at an instance.
func upstreamErrors(logFile string) (int, error) {
	b, err := os.ReadFile(logFile)
	if err != nil {
		return 0, err
	}
	return strings.Count(string(b), "[error]") - strings.Count(string(b), "no live upstreams"), nil
}

// servedBy counts the request log lines of an instance.
func servedBy(logFile string) (all, pages int, err error) {
	f, err := os.Open(logFile)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct{ Msg, Path string }
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Msg != "request" {
			continue
		}
		all++
		if strings.HasPrefix(line.Path, "/customers") {
			pages++
		}
	}
	return all, pages, sc.Err()
}
