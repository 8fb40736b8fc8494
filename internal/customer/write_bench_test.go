package customer_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/verity-kyb/verity/internal/cputime"
	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/pgtest"
	"github.com/verity-kyb/verity/internal/webhook"
)

// BenchmarkPutThroughService is a PUT's service call (details, then status)
// against the real PostgreSQL, with a request's cancellable context, the
// webhook outbox wired in as in verity serve: the Go side's CPU per call
// (cpu-ns/op: this process' user + system time, PostgreSQL's not included),
// for A/B runs of the write flow: `go test -run - -bench PutThroughService
// -benchmem ./internal/customer/`.
func BenchmarkPutThroughService(b *testing.B) {
	db := pgtest.New(b)
	svc := customer.NewService(db, customer.Options{VerifyBaseURL: verifyBase, Events: webhook.NewService(db, webhook.Options{})})
	in := decode[customer.CreateInput](b, seedInput)
	c, _, err := svc.Create(context.Background(), admin2, in, nil)
	if err != nil {
		b.Fatal(err)
	}
	put := func(b *testing.B, call func(ctx context.Context, i int) error) {
		b.ReportAllocs()
		cpu0 := cputime.Process()
		for i := 0; b.Loop(); i++ {
			ctx, cancel := context.WithCancel(context.Background()) // as a request's
			err := call(ctx, i)
			cancel()
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
	}
	b.Run("details", func(b *testing.B) {
		put(b, func(ctx context.Context, i int) error {
			_, err := svc.Update(ctx, officer, c.Reference, customer.DetailsUpdate{Description: customer.Some("edit " + strconv.Itoa(i))}, nil)
			return err
		})
	})
	b.Run("status", func(b *testing.B) {
		put(b, func(ctx context.Context, i int) error {
			to := "REJECTED"
			if i%2 == 1 {
				to = "PENDING"
			}
			_, err := svc.SetStatus(ctx, admin, c.Reference, customer.StatusChange{Status: to, Reason: ptr("bench")}, nil, false)
			return err
		})
	})
}

// BenchmarkStackFloorPut is BenchmarkPutThroughService's calls as the stack
// floor runs them (customer.StackFloor: the same statements, no rules), on
// the same kind of database: the difference between the two is the rules
// part and the service around the statements.
func BenchmarkStackFloorPut(b *testing.B) {
	db := pgtest.New(b)
	svc := customer.NewService(db, customer.Options{VerifyBaseURL: verifyBase})
	c, _, err := svc.Create(context.Background(), admin2, decode[customer.CreateInput](b, seedInput), nil)
	if err != nil {
		b.Fatal(err)
	}
	floor := customer.NewStackFloor(db, webhook.NewService(db, webhook.Options{}))
	payload := []byte(`{"reference":"` + c.Reference.String() + `"}`)
	for _, k := range []struct {
		name string
		kind customer.FloorKind
	}{{"details", customer.FloorDetails}, {"status", customer.FloorStatus}} {
		b.Run(k.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cputime.Process()
			for b.Loop() {
				ctx, cancel := context.WithCancel(context.Background())
				err := floor.Run(ctx, k.kind, c.Reference, payload)
				cancel()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
