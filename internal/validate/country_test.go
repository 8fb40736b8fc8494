package validate

import (
	"slices"
	"strings"
	"testing"
)

// iso3166 is the officially assigned ISO 3166-1 alpha-2 list (249 codes), kept
// here so that a library upgrade that adds or drops a code fails this test.
const iso3166 = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`

func TestCountryName(t *testing.T) {
	tests := []struct {
		name, code, want string
		ok               bool
	}{
		{"OK/SeedUS", "US", "United States", true},
		{"OK/GB", "GB", "United Kingdom", true},
		{"OK/DE", "DE", "Germany", true},
		{"OK/NL", "NL", "Netherlands", true},
		{"OK/OverrideKR", "KR", "South Korea", true},
		{"OK/OverrideKP", "KP", "North Korea", true},
		{"OK/OverrideRU", "RU", "Russia", true},
		{"OK/OverrideSZ", "SZ", "Eswatini", true},
		{"OK/OverrideVA", "VA", "Vatican City", true},
		{"OK/LibraryName", "CI", "Cote d'Ivoire", true},
		{"ErrLowercase", "us", "", false},
		{"ErrMixedCase", "Us", "", false},
		{"ErrUK", "UK", "", false},
		{"ErrEU", "EU", "", false},
		{"ErrZZ", "ZZ", "", false},
		{"ErrKosovoUserAssigned", "XK", "", false},
		{"ErrDeletedAN", "AN", "", false},
		{"ErrDeletedYU", "YU", "", false},
		{"ErrAlpha3", "USA", "", false},
		{"ErrNumeric", "84", "", false},
		{"ErrSpaces", " US", "", false},
		{"ErrEmpty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := CountryName(tt.code)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("CountryName(%q) = %q, %v; want %q, %v", tt.code, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCountryCodes(t *testing.T) {
	list := CountryCodes()
	t.Run("OK/ExactlyISO3166", func(t *testing.T) {
		want := strings.Fields(iso3166)
		var got []string
		for _, c := range list {
			got = append(got, c.Code)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			for _, c := range want {
				if !slices.Contains(got, c) {
					t.Errorf("missing %s", c)
				}
			}
			for _, c := range got {
				if !slices.Contains(want, c) {
					t.Errorf("extra %s", c)
				}
			}
			t.Fatalf("got %d codes, want %d", len(got), len(want))
		}
	})
	t.Run("OK/SortedByName", func(t *testing.T) {
		if !slices.IsSortedFunc(list, func(a, b Country) int { return strings.Compare(sortKey(a.Name), sortKey(b.Name)) }) {
			t.Fatal("not sorted by name")
		}
		if list[0].Name != "Afghanistan" {
			t.Fatalf("first = %+v, want Afghanistan", list[0])
		}
		i := slices.IndexFunc(list, func(c Country) bool { return c.Code == "VI" })
		if list[i-1].Code != "UY" { // "U.S. Virgin Islands" reads as "US…", after Uruguay
			t.Fatalf("VI sorted after %+v, want Uruguay", list[i-1])
		}
	})
	t.Run("OK/NamesConsistent", func(t *testing.T) {
		seen := map[string]string{}
		for _, c := range list {
			if name, ok := CountryName(c.Code); !ok || name != c.Name {
				t.Errorf("CountryName(%s) = %q, %v; list says %q", c.Code, name, ok, c.Name)
			}
			if c.Name == "" || strings.TrimSpace(c.Name) != c.Name || strings.Contains(c.Name, "  ") {
				t.Errorf("%s: badly spaced name %q", c.Code, c.Name)
			}
			for _, r := range c.Name {
				if r > 0x7e || r < 0x20 {
					t.Errorf("%s: name %q is not plain ASCII", c.Code, c.Name)
				}
			}
			if prev, dup := seen[c.Name]; dup {
				t.Errorf("%s and %s share the name %q", prev, c.Code, c.Name)
			}
			seen[c.Name] = c.Code
		}
	})
	t.Run("OK/OverridesApplied", func(t *testing.T) {
		for code, want := range nameOverrides {
			if got, ok := CountryName(code); !ok || got != want {
				t.Errorf("CountryName(%s) = %q, %v; override says %q", code, got, ok, want)
			}
		}
	})
	t.Run("OK/ReturnsCopy", func(t *testing.T) {
		CountryCodes()[0] = Country{Code: "XX", Name: "Changed"}
		if got := CountryCodes()[0]; got.Name != "Afghanistan" {
			t.Fatalf("caller changed the shared list: %+v", got)
		}
	})
}

func TestCountryCode(t *testing.T) {
	tests := []struct {
		name, code, want string
	}{
		{"OK/SeedUS", "US", ""},
		{"OK/GB", "GB", ""},
		{"OK/Territory", "PR", ""},
		{"ErrLowercase", "us", "must be upper case, such as US"},
		{"ErrMixedCase", "gB", "must be upper case, such as GB"},
		{"ErrUK", "UK", "must be an ISO 3166-1 alpha-2 country code: the United Kingdom is GB"},
		{"ErrUKLowercase", "uk", "must be an ISO 3166-1 alpha-2 country code: the United Kingdom is GB"},
		{"ErrEU", "EU", msgCountryCode},
		{"ErrZZ", "ZZ", msgCountryCode},
		{"ErrXK", "XK", msgCountryCode},
		{"ErrAlpha3", "USA", msgCountryCode},
		{"ErrName", "United States", msgCountryCode},
		{"ErrPadded", "US ", msgCountryCode},
		{"ErrEmpty", "", "is required"},
		{"ErrBlank", "  ", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CountryCode(tt.code); got != tt.want {
				t.Fatalf("CountryCode(%q) = %q, want %q", tt.code, got, tt.want)
			}
		})
	}
	if msgCountryCode != "must be an ISO 3166-1 alpha-2 country code such as US" {
		t.Fatalf("message changed: %q", msgCountryCode)
	}
}

func TestMatchCountryName(t *testing.T) {
	tests := []struct {
		name, code, country string
		want                bool
	}{
		{"OK/Seed", "US", "United States", true},
		{"OK/CaseInsensitive", "US", "united STATES", true},
		{"OK/Padded", "US", "  United States ", true},
		{"OK/OfficialName", "US", "United States of America", true},
		{"OK/Abbreviation", "US", "USA", true},
		{"OK/LibraryName", "KR", "Republic of Korea", true},
		{"OK/OurName", "KR", "South Korea", true},
		{"OK/LibraryFormalName", "RU", "Russian Federation", true},
		{"OK/LibraryParenthesised", "VA", "Holy See (Vatican City State)", true},
		{"OK/FormerName", "SZ", "Swaziland", true},
		{"OK/Diacritics", "TR", "Türkiye", true},
		{"OK/AlsoKnownAs", "TR", "Turkiye", true},
		{"OK/GreatBritain", "GB", "Great Britain", true},
		{"OK/Apostrophe", "CI", "Côte d'Ivoire", true},
		{"ErrOtherCountry", "US", "Germany", false},
		{"ErrNeighbour", "KR", "North Korea", false},
		{"ErrParenthesisTrick", "US", "United States (Germany)", false},
		{"ErrDigits", "DE", "Germany1", false},
		{"ErrNonsense", "DE", "Germanyland", false},
		{"ErrEmptyName", "US", "", false},
		{"ErrLowercaseCode", "us", "United States", false},
		{"ErrUnknownCode", "UK", "United Kingdom", false},
		{"ErrExcludedCode", "XK", "Kosovo", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchCountryName(tt.code, tt.country); got != tt.want {
				t.Fatalf("MatchCountryName(%q, %q) = %v, want %v", tt.code, tt.country, got, tt.want)
			}
		})
	}
}

// TestMatchCountryNameEveryPair checks that each country's own name matches
// its code and no other, so a mismatched pair can never slip through.
func TestMatchCountryNameEveryPair(t *testing.T) {
	list := CountryCodes()
	for _, a := range list {
		for _, b := range list {
			if got := MatchCountryName(a.Code, b.Name); got != (a.Code == b.Code) {
				t.Errorf("MatchCountryName(%s, %q) = %v", a.Code, b.Name, got)
			}
		}
	}
}

// TestMatchCountryNameGeneratedData covers the code/name pairs that
// data/gen_customers.py writes into addresses.
func TestMatchCountryNameGeneratedData(t *testing.T) {
	pairs := [][2]string{
		{"GB", "United Kingdom"}, {"DE", "Germany"}, {"FR", "France"}, {"NL", "Netherlands"},
		{"ES", "Spain"}, {"IT", "Italy"}, {"IE", "Ireland"}, {"BE", "Belgium"}, {"PT", "Portugal"},
		{"PL", "Poland"}, {"SE", "Sweden"}, {"AT", "Austria"}, {"DK", "Denmark"}, {"FI", "Finland"},
		{"LU", "Luxembourg"}, {"CH", "Switzerland"}, {"US", "United States"}, {"CZ", "Czechia"},
		{"NO", "Norway"}, {"LT", "Lithuania"},
	}
	for _, p := range pairs {
		if !MatchCountryName(p[0], p[1]) {
			t.Errorf("MatchCountryName(%s, %q) = false", p[0], p[1])
		}
		if name, _ := CountryName(p[0]); name != p[1] {
			t.Errorf("CountryName(%s) = %q, generator writes %q", p[0], name, p[1])
		}
	}
}
