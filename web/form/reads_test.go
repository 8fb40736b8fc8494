package form_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/web/form"
	"github.com/verity-kyb/verity/web/webtest"
)

// countReads makes PostgreSQL count every customers row a statement reads
// (a row-level security policy calling a sequence, which no rollback undoes)
// and returns a function reading the count so far.
func countReads(t *testing.T, s *webtest.Site) func() int {
	t.Helper()
	for _, q := range []string{
		`CREATE SEQUENCE customer_reads`,
		`CREATE FUNCTION count_customer_read() RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT nextval('customer_reads') > 0 $$`,
		`ALTER TABLE customers ENABLE ROW LEVEL SECURITY`,
		`ALTER TABLE customers FORCE ROW LEVEL SECURITY`,
		`CREATE POLICY reads ON customers FOR SELECT USING (count_customer_read())`,
		`CREATE POLICY inserts ON customers FOR INSERT WITH CHECK (true)`,
		`CREATE POLICY updates ON customers FOR UPDATE USING (true)`,
		`CREATE POLICY deletes ON customers FOR DELETE USING (true)`,
	} {
		if _, err := s.DB.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return func() int {
		var n int
		if err := s.DB.Get(&n, `SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM customer_reads`); err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// TestASaveReadsTheCustomerOnce: a details or associates save through the
// page reads the customer no more often than the service's write alone —
// the handler does not load it first.
func TestASaveReadsTheCustomerOnce(t *testing.T) {
	s := webtest.New(t)
	cu := s.NewCustomer("officer", full)
	c := s.SignIn("officer")
	reads := countReads(t, s)
	ref := "/customers/" + cu.Reference.String()
	ctx, officer := t.Context(), s.Actor("officer")

	// The service's own cost of one details write and one associates write.
	n := reads()
	up := customer.DetailsUpdate{Name: customer.Some("Service Write GmbH")}
	cur, err := s.Customers.Update(ctx, officer, cu.Reference, up, nil)
	if err != nil {
		t.Fatal(err)
	}
	serviceDetails := reads() - n
	list := []customer.AssociateInput{form.Associate.Decode(form.Associate.Encode(&cur.Company.Associates[1]))}
	n = reads()
	if cur, err = s.Customers.ReplaceAssociates(ctx, officer, cu.Reference, customer.AssociatesInput{Associates: &list}, nil); err != nil {
		t.Fatal(err)
	}
	serviceAssociates := reads() - n
	if serviceDetails == 0 || serviceAssociates == 0 {
		t.Fatalf("the counter counts nothing (%d, %d)", serviceDetails, serviceAssociates)
	}

	v := url.Values{"version": {strconv.Itoa(cur.Version)}}
	for path, val := range form.Details.Encode(cur) {
		v.Set(path, val)
	}
	v.Set("company.name", "Page Write GmbH")
	n = reads()
	c.PostForm(ref+"/details", v).Want(http.StatusSeeOther)
	if got := reads() - n; got != serviceDetails {
		t.Errorf("a details save read %d customer rows, the service's write alone %d", got, serviceDetails)
	}

	v = url.Values{"version": {strconv.Itoa(cur.Version + 1)}, "_action": {"save"}}
	for path, val := range form.Associate.Encode(&cur.Company.Associates[0]) {
		v.Set(form.RowPrefix("0")+path, val)
	}
	v.Set(form.RowPrefix("0")+"title", "Head of freight")
	n = reads()
	c.PostForm(ref+"/associates", v).Want(http.StatusSeeOther)
	if got := reads() - n; got != serviceAssociates {
		t.Errorf("an associates save read %d customer rows, the service's write alone %d", got, serviceAssociates)
	}
}
