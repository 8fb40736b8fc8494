package validate

import (
	"slices"
	"strings"
	"unicode"

	"github.com/biter777/countries"
)

// Country is one selectable ISO 3166-1 country, for dropdowns and display;
// Name follows the one naming scheme described at nameOverrides.
type Country struct {
	Code string // ISO 3166-1 alpha-2, upper case
	Name string // common English short name
}

const (
	msgCountryCode = "must be an ISO 3166-1 alpha-2 country code such as US"
	msgCountryUK   = "must be an ISO 3166-1 alpha-2 country code: the United Kingdom is GB"
)

// excludedCodes are in the library but are not current ISO 3166-1 alpha-2
// codes, so they are refused like any unknown code.
var excludedCodes = map[string]string{
	"AN": "Netherlands Antilles, deleted from ISO 3166-1 in 2010",
	"YU": "Yugoslavia, deleted from ISO 3166-1 in 2003",
	"XK": "Kosovo, a user-assigned code outside ISO 3166-1",
}

// nameOverrides carries the naming scheme: a country is called by the English
// name of biter777/countries unless that name is formal, outdated or carries a
// qualifier, in which case this table gives the common English short name
// people pick from a list ("South Korea", "Russia", "Eswatini"). Names stay in
// plain ASCII, as the library writes them ("Cote d'Ivoire", "Curacao"). US and
// GB are pinned because the API contract ("US" ↔ "United States") rests on them.
var nameOverrides = map[string]string{
	"US": "United States",
	"GB": "United Kingdom",
	"BN": "Brunei",
	"BQ": "Bonaire, Sint Eustatius and Saba",
	"FK": "Falkland Islands",
	"FM": "Micronesia",
	"GS": "South Georgia and the South Sandwich Islands",
	"HK": "Hong Kong",
	"IM": "Isle of Man",
	"IR": "Iran",
	"KP": "North Korea",
	"KR": "South Korea",
	"LA": "Laos",
	"LY": "Libya",
	"MD": "Moldova",
	"MF": "Saint Martin",
	"MK": "North Macedonia",
	"MO": "Macao",
	"PN": "Pitcairn Islands",
	"PS": "Palestine",
	"RU": "Russia",
	"SJ": "Svalbard and Jan Mayen",
	"SX": "Sint Maarten",
	"SY": "Syria",
	"SZ": "Eswatini",
	"TL": "Timor-Leste",
	"TW": "Taiwan",
	"TZ": "Tanzania",
	"VA": "Vatican City",
	"VG": "British Virgin Islands",
	"VI": "U.S. Virgin Islands",
	"WF": "Wallis and Futuna",
}

// alsoKnownAs adds accepted names for MatchCountryName that the library's
// own name lookup does not know.
var alsoKnownAs = map[string][]string{
	"TR": {"Turkiye"},
}

// countryEntry is what the index keeps per code.
type countryEntry struct {
	Country
	lib     countries.CountryCode
	libName string
}

// countryIndex is built once from the library and never changed afterwards,
// so it is safe for concurrent use.
var countryIndex = buildCountryIndex()

type index struct {
	byCode map[string]countryEntry
	sorted []Country
}

func buildCountryIndex() index {
	idx := index{byCode: map[string]countryEntry{}}
	for _, c := range countries.All() {
		code := c.Alpha2()
		if _, skip := excludedCodes[code]; skip || !isAlpha2(code) {
			continue
		}
		name := c.String()
		if o, ok := nameOverrides[code]; ok {
			name = o
		}
		e := countryEntry{Country: Country{Code: code, Name: name}, lib: c, libName: c.String()}
		idx.byCode[code] = e
		idx.sorted = append(idx.sorted, e.Country)
	}
	slices.SortFunc(idx.sorted, func(a, b Country) int {
		if c := strings.Compare(sortKey(a.Name), sortKey(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return idx
}

// sortKey orders names as a person reads a list: by letters and digits only,
// ignoring case and punctuation ("U.S. Virgin Islands" sorts after "Uruguay").
func sortKey(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, name)
}

// isAlpha2 reports whether s is two ASCII upper-case letters.
func isAlpha2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// CountryName returns the display name for an upper-case ISO 3166-1 alpha-2
// code; ok is false for anything else, including lower case and "UK".
func CountryName(code string) (name string, ok bool) {
	e, ok := countryIndex.byCode[code]
	return e.Name, ok
}

// CountryCodes lists every accepted country sorted by name, for dropdowns;
// the slice is a fresh copy the caller may change.
func CountryCodes() []Country {
	return slices.Clone(countryIndex.sorted)
}

// CountryCode checks an ISO 3166-1 alpha-2 code, which must be upper case.
func CountryCode(code string) string {
	if strings.TrimSpace(code) == "" {
		return msgRequired
	}
	if _, ok := countryIndex.byCode[code]; ok {
		return ""
	}
	upper := strings.ToUpper(code)
	if upper == "UK" {
		return msgCountryUK
	}
	if _, ok := countryIndex.byCode[upper]; ok {
		return "must be upper case, such as " + upper
	}
	return msgCountryCode
}

// MatchCountryName reports whether a client-sent country name agrees with its
// code: our name, the library's official name or one of its known alternates
// ("United States of America", "Republic of Korea"), compared case-insensitively.
func MatchCountryName(code, name string) bool {
	e, ok := countryIndex.byCode[code]
	if !ok {
		return false
	}
	n := strings.TrimSpace(name)
	if n == "" {
		return false
	}
	if strings.EqualFold(n, e.Name) || strings.EqualFold(n, e.libName) {
		return true
	}
	for _, aka := range alsoKnownAs[code] {
		if strings.EqualFold(n, aka) {
			return true
		}
	}
	// The library's lookup drops everything from "(" and every non-letter, so
	// only hand it plain names: "United States (Germany)" must not pass.
	if !plainName(n) {
		return false
	}
	return countries.ByName(n) == e.lib
}

// plainName reports whether s holds only letters, spaces and the punctuation
// found in country names.
func plainName(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !strings.ContainsRune(" .,'’-&", r) {
			return false
		}
	}
	return true
}
