// Package validate holds Verity's low-level field rules: pure functions that
// the customer domain calls for web forms and the JSON API alike, so a rule
// exists exactly once.
//
// A check returns a message — a short, lower-case sentence such as
// "is required" or "must be at most 200 characters" — and "" when the value is
// fine. The caller owns the field path ("company.address.city") and whether a
// field is optional: every single-value check here treats a blank value as
// "is required", so an optional field should be skipped when EmptyToNil says
// it is empty.
package validate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length limits, in characters (runes), shared by forms, API and schema.
const (
	MaxName               = 200
	MaxDescription        = 2000
	MaxAddressLine        = 200
	MaxCity               = 100
	MaxPostalCode         = 32
	MaxPersonName         = 100
	MaxTitle              = 100
	MaxDocumentNumber     = 64
	MaxTaxNumber          = 64
	MaxRegistrationNumber = 64
	MaxEmail              = 254
	MaxReason             = 1000
	MaxNote               = 5000 // a note on a customer (schema: customer_notes.body)
	MaxURL                = 2048
	MaxWebsite            = 200
	MaxVerificationStatus = 64
	MaxPhone              = 40 // as typed, before spaces, dashes, dots and parentheses are removed
	MaxDate               = len(DateLayout)
)

const (
	msgRequired     = "is required"
	msgBlank        = "must not be blank"
	msgInvalidUTF8  = "must be valid UTF-8 text"
	msgControlChars = "must not contain control characters"
	msgDocumentType = "must be one of PASSPORT, ID_CARD, DRIVERS_LICENSE, RESIDENCE_PERMIT"
	msgRiskScore    = "must be one of LOW, MEDIUM, HIGH"
)

// tooLong is the message for a value over max characters.
func tooLong(max int) string {
	return fmt.Sprintf("must be at most %d characters", max)
}

// Text checks a single-line free-text field (names, address lines, codes):
// blank is refused only when required, length is counted in runes on the
// string as given (max ≤ 0 means no limit), and control characters —
// including tabs and line breaks — are refused.
func Text(s string, max int, required bool) string {
	return text(s, max, required, false)
}

// MultilineText is Text for textarea fields (a description, a reason): line
// breaks (\n and \r\n; NormalizeLines stores \n) are allowed, every other
// control character — tabs and a lone \r included — is refused.
func MultilineText(s string, max int, required bool) string {
	return text(s, max, required, true)
}

// NormalizeLines turns the \r\n line breaks browsers send from a textarea
// into \n, the one line break stored.
func NormalizeLines(s string) string {
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// BlankMessage is the message for a required value that is blank: "is
// required" when nothing was typed, "must not be blank" when it holds only
// white space or invisible characters.
func BlankMessage(s string) string {
	if strings.TrimSpace(s) == "" {
		return msgRequired
	}
	return msgBlank
}

// Blank reports text that shows nothing: empty, white space, or only
// invisible characters (zero-width space, ZWNJ/ZWJ, word joiner, BOM, soft
// hyphen, fillers…), so a name of zero-width spaces counts as no name.
func Blank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !invisible(r) {
			return false
		}
	}
	return true
}

// invisible reports runes that render as nothing: format characters (Cf:
// U+00AD, U+200B–U+200F, U+2060–U+2064, U+FEFF…), variation selectors, the
// combining grapheme joiner and the Hangul and Braille blanks.
func invisible(r rune) bool {
	switch r {
	case '\u034F', '\u115F', '\u1160', '\u2800', '\u3164', '\uFFA0':
		return true
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)
}

func text(s string, max int, required, multiline bool) string {
	if Blank(s) {
		if required {
			return BlankMessage(s)
		}
		return ""
	}
	if !utf8.ValidString(s) {
		return msgInvalidUTF8
	}
	if max > 0 && utf8.RuneCountInString(s) > max {
		return tooLong(max)
	}
	for i, r := range s {
		if multiline && (r == '\n' || r == '\r' && i+1 < len(s) && s[i+1] == '\n') {
			continue
		}
		if isControl(r) {
			return msgControlChars
		}
	}
	return ""
}

// isControl reports runes that must never be stored in a text field: C0/C1
// controls and DEL, Unicode line/paragraph separators, and the bidirectional
// overrides that can make a stored name display as something else.
func isControl(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r == '\u2028' || r == '\u2029':
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// EmptyToNil turns an optional string that is absent or blank into nil, so
// "", "   " and a lone zero-width space all mean "none"; any other value is
// returned unchanged.
func EmptyToNil(p *string) *string {
	if p == nil || Blank(*p) {
		return nil
	}
	return p
}

// documentTypes are the canonical identity-document types, in display order.
var documentTypes = []string{"PASSPORT", "ID_CARD", "DRIVERS_LICENSE", "RESIDENCE_PERMIT"}

// documentAliases maps accepted spellings to their canonical type.
// DRIVING_LICENSE is the British spelling that data/gen_customers.py emits.
var documentAliases = map[string]string{
	"DRIVER_LICENSE":  "DRIVERS_LICENSE",
	"DRIVERS":         "DRIVERS_LICENSE",
	"DRIVING_LICENSE": "DRIVERS_LICENSE",
}

// DocumentType returns the canonical identity-document type for s, accepting
// the exact upper-case words and their aliases so only one spelling is stored.
func DocumentType(s string) (canonical string, msg string) {
	if strings.TrimSpace(s) == "" {
		return "", msgRequired
	}
	for _, t := range documentTypes {
		if s == t {
			return t, ""
		}
	}
	if t, ok := documentAliases[s]; ok {
		return t, ""
	}
	return "", msgDocumentType
}

// DocumentTypes lists the canonical identity-document types for UI choices.
func DocumentTypes() []string {
	return append([]string(nil), documentTypes...)
}

// riskScores are the accepted risk scores, lowest first.
var riskScores = []string{"LOW", "MEDIUM", "HIGH"}

// RiskScore checks a customer's or associate's risk score; only the exact
// upper-case words are accepted.
func RiskScore(s string) string {
	if strings.TrimSpace(s) == "" {
		return msgRequired
	}
	for _, r := range riskScores {
		if s == r {
			return ""
		}
	}
	return msgRiskScore
}

// RiskScores lists the accepted risk scores, lowest first, for UI choices.
func RiskScores() []string {
	return append([]string(nil), riskScores...)
}
