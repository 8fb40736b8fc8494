// Package customer is the heart of Verity: the KYB customer, its associates,
// the rules they keep, and the one Service that pages and API both call.
package customer

import (
	"hash/fnv"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/verity-kyb/verity/internal/audit"
)

// Status is where a customer stands in verification.
type Status string

// The statuses of design.md.
const (
	StatusPending  Status = "PENDING"
	StatusVerified Status = "VERIFIED"
	StatusRejected Status = "REJECTED"
)

// Statuses lists every status in queue order.
var Statuses = []Status{StatusPending, StatusVerified, StatusRejected}

// ParseStatus accepts a status word exactly as listed.
func ParseStatus(s string) (Status, bool) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// RiskScore is the assessed risk of a customer or associate.
type RiskScore string

// The risk scores.
const (
	RiskLow    RiskScore = "LOW"
	RiskMedium RiskScore = "MEDIUM"
	RiskHigh   RiskScore = "HIGH"
)

// RiskScores lists every risk score, lowest first.
var RiskScores = []RiskScore{RiskLow, RiskMedium, RiskHigh}

// TypeCompany is the only customer type Verity handles.
const TypeCompany = "COMPANY"

// Customer is a business customer in the exact JSON shape of the contract.
type Customer struct {
	ID         int64     `json:"-"`
	Reference  uuid.UUID `json:"reference"`
	Status     Status    `json:"status"`
	Type       string    `json:"type"`
	RiskScore  RiskScore `json:"riskScore"`
	Company    Company   `json:"company"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	Version    int       `json:"-"`
	LastEditor *string   `json:"-"`
	// Assignee owns the case (null when nobody does); StatusSince is when
	// the customer entered its current status — its time in queue.
	Assignee    *Assignee `json:"assignee"`
	StatusSince time.Time `json:"statusSince"`
	// ReviewRequired is set by a material change to a VERIFIED customer
	// (review.go); ReviewChanges are those changes since approval and
	// ReviewEditor the principal who made the latest of them.
	ReviewRequired bool           `json:"reviewRequired"`
	ReviewChanges  []audit.Change `json:"-"`
	ReviewEditor   *string        `json:"-"`
	// Evidence is the documents approval still lacks, read with the
	// customer when the evidence rule is on (Options.Evidence); nil otherwise.
	Evidence []Problem `json:"-"`
	// AssociateCount is how many associates the customer has, as List read
	// it — also when Filter.Summary left Company.Associates unread (empty).
	// Other reads leave it 0; count Company.Associates there.
	AssociateCount int `json:"-"`
}

// ETag is the entity tag of this version of the customer: "v3", or "v3.a7"
// while staff user 7 owns the case. An assignment keeps the version, so the
// suffix is what tells a cache the representation changed; a write's
// If-Match compares the version alone (ParseETags).
func (c *Customer) ETag() string {
	tag := `"v` + strconv.Itoa(c.Version)
	if c.Assignee != nil {
		tag += ".a" + strconv.FormatInt(c.Assignee.ID, 10)
	}
	if c.Evidence != nil {
		// requiredActions list the evidence approval lacks, which a document
		// upload or review changes without a new version: the suffix tells
		// caches (If-None-Match) so; If-Match still compares the version alone.
		h := fnv.New32a()
		for _, p := range c.Evidence {
			h.Write([]byte(p.Code + " " + p.Path + "\n"))
		}
		tag += ".e" + strconv.FormatUint(uint64(h.Sum32()), 36)
	}
	return tag + `"`
}

// Company holds the company's details, address, associates and verification.
type Company struct {
	Name                    string       `json:"name"`
	Description             *string      `json:"description"`
	TaxResidenceCountryCode string       `json:"taxResidenceCountryCode"`
	RegistrationNumber      string       `json:"registrationNumber"`
	Website                 *string      `json:"website,omitempty"`
	Address                 Address      `json:"address"`
	Associates              []Associate  `json:"associates"`
	Verification            Verification `json:"verification"`
}

// Address is a postal address; Country is always derived from CountryCode.
type Address struct {
	AddressLine1 string  `json:"addressLine1"`
	AddressLine2 *string `json:"addressLine2"`
	City         string  `json:"city"`
	PostalCode   string  `json:"postalCode"`
	CountryCode  string  `json:"countryCode"`
	Country      string  `json:"country"`
}

// Verification is the identity provider's link and its own status word.
type Verification struct {
	URL    string `json:"url"`
	Status string `json:"status"`
}

// Associate is a director, beneficial owner or signer of the company.
type Associate struct {
	Person       Person       `json:"person"`
	Details      Details      `json:"details"`
	Title        *string      `json:"title"`
	RiskScore    *RiskScore   `json:"riskScore"`
	Controls     Controls     `json:"controls"`
	Verification Verification `json:"verification"`
}

// FullName is how people see the associate.
func (a *Associate) FullName() string { return a.Person.FirstName + " " + a.Person.LastName }

// HasCompleteDocument tells whether type, number and issuing country are all known.
func (a *Associate) HasCompleteDocument() bool {
	d := a.Details.DocumentInfo
	return d.Number != nil && d.Type != nil && d.IssuingCountryCode != nil
}

// Person is who the associate is.
type Person struct {
	Reference   uuid.UUID `json:"reference"`
	FirstName   string    `json:"firstName"`
	LastName    string    `json:"lastName"`
	DateOfBirth *string   `json:"dateOfBirth"`
	Address     *Address  `json:"address"`
}

// Details are the associate's contact, identity document and tax facts.
type Details struct {
	BirthCountryCode  *string           `json:"birthCountryCode"`
	ContactInfo       ContactInfo       `json:"contactInfo"`
	DocumentNumber    *string           `json:"documentNumber"`
	DocumentInfo      DocumentInfo      `json:"documentInfo"`
	TaxIdentification TaxIdentification `json:"taxIdentification"`
}

// ContactInfo is how to reach the associate.
type ContactInfo struct {
	EmailAddress *string `json:"emailAddress"`
	PhoneNumber  *string `json:"phoneNumber"`
}

// DocumentInfo is the associate's identity document.
type DocumentInfo struct {
	Number             *string `json:"number"`
	Type               *string `json:"type"`
	IssuingCountryCode *string `json:"issuingCountryCode"`
}

// TaxIdentification is the associate's tax number and its country.
type TaxIdentification struct {
	Number                  *string `json:"number"`
	TaxResidenceCountryCode *string `json:"taxResidenceCountryCode"`
}

// Controls say how the associate relates to the company; shown as role badges.
type Controls struct {
	HasOwnership bool `json:"hasOwnership"`
	HasControl   bool `json:"hasControl"`
	IsSigner     bool `json:"isSigner"`
}

// Summary is one row of the customers list.
type Summary struct {
	Reference          uuid.UUID `json:"reference" db:"reference"`
	Name               string    `json:"name" db:"name"`
	RegistrationNumber string    `json:"registrationNumber" db:"registration_number"`
	CountryCode        string    `json:"countryCode" db:"country_code"`
	Status             Status    `json:"status" db:"status"`
	RiskScore          RiskScore `json:"riskScore" db:"risk_score"`
	UpdatedAt          time.Time `json:"updatedAt" db:"updated_at"`
}
