// Package seed makes demonstration data: realistic KYB customers written as
// JSON Lines in the import shape, and the demo staff accounts that `serve`
// creates on a first start and `verity seed --demo` tops up.
package seed

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/customer"
	"github.com/verity-kyb/verity/internal/validate"
)

// VerifyURLPrefix starts every generated verification link.
const VerifyURLPrefix = "https://verify.example.com/kyb/"

// Generate writes n customers as JSON Lines in the import shape (the full
// customer JSON of the API). The same seed gives the same bytes on the same
// UTC day: dates of birth and timestamps are relative to that day, so every
// line passes the product's validation whenever it is generated.
func Generate(w io.Writer, seed int64, n int) error {
	return generate(w, seed, n, time.Now())
}

// generate is Generate anchored to the calendar day of now.
func generate(w io.Writer, seed int64, n int, now time.Time) error {
	g, err := newGenerator(seed, now)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for range n {
		c := g.customer()
		if err := enc.Encode(&c); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// weights picks an index with probability proportional to its weight.
type weights []int // cumulative

func newWeights(ws ...int) weights {
	out := make(weights, len(ws))
	sum := 0
	for i, w := range ws {
		sum += w
		out[i] = sum
	}
	return out
}

func (w weights) pick(r *rand.Rand) int {
	x := r.IntN(w[len(w)-1])
	for i, c := range w {
		if x < c {
			return i
		}
	}
	return len(w) - 1
}

// The mixes of the reference generator; statuses and risks follow the order
// of customer.Statuses (PENDING, VERIFIED, REJECTED) and customer.RiskScores.
var (
	statusMix     = newWeights(60, 30, 10)
	riskMix       = newWeights(60, 30, 10)
	associateMix  = newWeights(30, 35, 25, 10) // 1, 2, 3 or 4 associates
	documentTypes = []string{"PASSPORT", "ID_CARD", "DRIVERS_LICENSE", "RESIDENCE_PERMIT"}
	documentMix   = newWeights(50, 35, 10, 5)
)

// The identity provider's own status words, and how likely each is for a
// company or an associate of a customer in a given status.
var (
	verificationWords = []string{"infoRequired", "pending", "completed", "failed"}
	companyChecks     = map[customer.Status]weights{
		customer.StatusPending:  newWeights(35, 45, 15, 5),
		customer.StatusVerified: newWeights(0, 0, 1, 0),
		customer.StatusRejected: newWeights(0, 15, 25, 60),
	}
	associateChecks = map[customer.Status]weights{
		customer.StatusPending:  newWeights(30, 35, 30, 5),
		customer.StatusVerified: newWeights(0, 0, 1, 0),
		customer.StatusRejected: newWeights(0, 10, 50, 40),
	}
)

// pendingWithoutDocument is the share of PENDING customers with one associate
// lacking an identity document, so an approval can be refused in a demo.
const pendingWithoutDocument = 0.3

// generator holds the random source and what stays fixed for one run.
type generator struct {
	r            *rand.Rand
	today        time.Time // midnight UTC of the day generated for
	oldestBirth  time.Time
	birthDays    int // dates of birth fall in [oldestBirth, oldestBirth+birthDays]
	countryMix   weights
	titleMix     weights
	countryNames map[string]string
	buf          []byte
}

func newGenerator(seed int64, now time.Time) (*generator, error) {
	today := now.UTC().Truncate(24 * time.Hour)
	oldest := time.Date(1950, time.January, 1, 0, 0, 0, 0, time.UTC)
	newest := today.AddDate(-18, 0, 0)
	g := &generator{
		r:            rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)),
		today:        today,
		oldestBirth:  oldest,
		birthDays:    int(newest.Sub(oldest) / (24 * time.Hour)),
		countryNames: map[string]string{},
	}
	cw := make([]int, len(countries))
	codes := slices.Clone(extraBirthCountries)
	for i := range countries {
		cw[i] = countries[i].weight
		codes = append(codes, countries[i].code)
	}
	for _, code := range codes {
		name, ok := validate.CountryName(code)
		if !ok {
			return nil, fmt.Errorf("seed: country code %s is not known to the validation", code)
		}
		g.countryNames[code] = name
	}
	tw := make([]int, len(titles))
	for i, t := range titles {
		tw[i] = t.weight
	}
	g.countryMix, g.titleMix = newWeights(cw...), newWeights(tw...)
	return g, nil
}

// customer makes one customer that passes validation; a VERIFIED one also
// meets every approval precondition.
func (g *generator) customer() customer.Customer {
	r := g.r
	c := customer.Customer{Reference: g.uuid(), Type: customer.TypeCompany}
	c.Status = customer.Statuses[statusMix.pick(r)]
	c.RiskScore = customer.RiskScores[riskMix.pick(r)]
	home := g.country()
	sector := sectors[r.IntN(len(sectors))]
	base := companyPrefixes[r.IntN(len(companyPrefixes))] + " " + sector.name + " " + strconv.Itoa(1+r.IntN(999))
	name := base
	if r.Float64() < 0.7 {
		name += " " + pick(r, home.legalForms)
	}
	addr := g.address(home)
	desc := fmt.Sprintf("%s, based in %s (%s).", sector.activity, addr.City, addr.Country)
	tld := strings.ToLower(home.code)
	if home.code == "US" || home.code == "GB" {
		tld = "com"
	}
	c.Company = customer.Company{
		Name:                    name,
		Description:             &desc,
		TaxResidenceCountryCode: home.code,
		RegistrationNumber:      g.registrationNumber(home.code),
		Address:                 addr,
		Verification:            g.verification(companyChecks[c.Status]),
	}
	c.Company.Associates = g.associates(home, slug(base, '-')+"."+tld, c.Status)
	c.CreatedAt, c.UpdatedAt = g.timestamps()
	c.StatusSince = g.statusSince(&c)
	return c
}

// statusSince is when the customer entered its status: its last update,
// or for a PENDING case up to six days ago, so the demo queues hold fresh
// and overdue cases alike. It is derived from the reference rather than
// drawn, so the rest of a seed's data stays what it was.
func (g *generator) statusSince(c *customer.Customer) time.Time {
	if c.Status != customer.StatusPending {
		return c.UpdatedAt
	}
	age := time.Duration(binary.BigEndian.Uint64(c.Reference[8:])%uint64(6*24*time.Hour/time.Second)) * time.Second
	return maxTime(c.CreatedAt, g.today.Add(-age))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// associates makes 1–4 associates with distinct e-mails and documents, then
// bends them to the status: VERIFIED ones are approvable, some PENDING not.
func (g *generator) associates(home *country, domain string, st customer.Status) []customer.Associate {
	n := 1 + associateMix.pick(g.r)
	list := make([]customer.Associate, n)
	emails := make(map[string]bool, n)
	docs := make(map[string]bool, n)
	for i := range list {
		list[i] = g.associate(home, domain, st, emails, docs)
	}
	switch st {
	case customer.StatusVerified:
		control := false
		for i := range list {
			control = control || list[i].Controls.HasControl
		}
		if !control {
			list[0].Controls.HasControl = true
		}
	case customer.StatusPending:
		if g.r.Float64() < pendingWithoutDocument {
			d := &list[g.r.IntN(n)].Details
			d.DocumentNumber, d.DocumentInfo = nil, customer.DocumentInfo{}
		}
	}
	return list
}

func (g *generator) associate(company *country, domain string, st customer.Status, emails, docs map[string]bool) customer.Associate {
	r := g.r
	home := company
	if r.Float64() >= 0.8 {
		home = g.country()
	}
	first, last := pick(r, home.firstNames), pick(r, home.lastNames)
	dob := g.oldestBirth.AddDate(0, 0, r.IntN(g.birthDays+1)).Format(validate.DateLayout)
	birth := home.code
	if r.Float64() >= 0.9 {
		birth = pick(r, extraBirthCountries)
	}
	issuing := birth
	if r.Float64() >= 0.9 {
		issuing = home.code
	}
	docType := documentTypes[documentMix.pick(r)]
	docNumber := g.letters(2) + g.digits(7)
	for docs[docType+docNumber+issuing] {
		docNumber = g.letters(2) + g.digits(7)
	}
	docs[docType+docNumber+issuing] = true
	local := slug(first+" "+last, '.')
	email := local
	for i := 2; emails[email]; i++ {
		email = local + strconv.Itoa(i)
	}
	emails[email] = true
	email += "@" + domain
	phone := g.phone(home)
	tax := home.code + g.digits(9)
	if home.code == "IT" {
		tax = home.code + g.digits(11)
	}
	t := titles[g.titleMix.pick(r)]
	risk := customer.RiskScores[riskMix.pick(r)]
	addr := g.address(home)
	return customer.Associate{
		Person: customer.Person{Reference: g.uuid(), FirstName: first, LastName: last, DateOfBirth: &dob, Address: &addr},
		Details: customer.Details{
			BirthCountryCode: &birth,
			ContactInfo:      customer.ContactInfo{EmailAddress: &email, PhoneNumber: &phone},
			DocumentNumber:   &docNumber,
			DocumentInfo:     customer.DocumentInfo{Number: &docNumber, Type: &docType, IssuingCountryCode: &issuing},
			TaxIdentification: customer.TaxIdentification{Number: &tax,
				TaxResidenceCountryCode: &home.code},
		},
		Title:     &t.name,
		RiskScore: &risk,
		Controls: customer.Controls{
			HasOwnership: r.Float64() < t.pOwnership,
			HasControl:   r.Float64() < t.pControl,
			IsSigner:     r.Float64() < t.pSigner,
		},
		Verification: g.verification(associateChecks[st]),
	}
}

func (g *generator) country() *country { return &countries[g.countryMix.pick(g.r)] }

func (g *generator) address(c *country) customer.Address {
	ci := c.cities[g.r.IntN(len(c.cities))]
	street, num := pick(g.r, c.streets), strconv.Itoa(1+g.r.IntN(240))
	line1 := street + " " + num
	if c.numberFirst {
		line1 = num + " " + street
	}
	a := customer.Address{AddressLine1: line1, City: ci.name, PostalCode: g.pattern(ci.postal),
		CountryCode: c.code, Country: g.countryNames[c.code]}
	if l2 := pick(g.r, addressLine2s); l2 != "" {
		a.AddressLine2 = &l2
	}
	return a
}

// verification is a fresh, unguessable link and a status word drawn from mix.
func (g *generator) verification(mix weights) customer.Verification {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	var b [24]byte
	for half := 0; half < 2; half++ {
		x := g.r.Uint64()
		for i := range 12 {
			b[half*12+i] = alphabet[x&31]
			x >>= 5
		}
	}
	return customer.Verification{URL: VerifyURLPrefix + string(b[:]), Status: verificationWords[mix.pick(g.r)]}
}

// timestamps spreads creation over the two years before today; the last
// update comes at or after creation, and never after today.
func (g *generator) timestamps() (created, updated time.Time) {
	const window = 2 * 365 * 24 * 60 * 60
	created = g.today.Add(-time.Duration(1+g.r.Int64N(window)) * time.Second)
	updated = created
	if g.r.Float64() < 0.6 {
		updated = created.Add(time.Duration(g.r.Int64N(int64(g.today.Sub(created)/time.Second))) * time.Second)
	}
	return created, updated
}

func (g *generator) uuid() uuid.UUID {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[:8], g.r.Uint64())
	binary.BigEndian.PutUint64(u[8:], g.r.Uint64())
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }
