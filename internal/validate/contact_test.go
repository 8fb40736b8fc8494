package validate

import (
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	const bad = "must be a phone number in international format, e.g. +44 20 7946 0958"
	tests := []struct {
		name, in, want, msg string
	}{
		{"OK/Seed", "+123456789", "+123456789", ""},
		{"OK/Spaces", "+48 531 647 525", "+48531647525", ""},
		{"OK/ParenthesesAndDash", "+1 (555) 010-9999", "+15550109999", ""},
		{"OK/Dots", "+44.20.7946.0958", "+442079460958", ""},
		{"OK/NoBreakSpace", "+44\u00a020\u00a07946\u00a00958", "+442079460958", ""},
		{"OK/SurroundingSpaces", "  +442079460958 ", "+442079460958", ""},
		{"OK/ParenthesisedPlus", "(+44) 20 7946 0958", "+442079460958", ""},
		{"OK/SevenDigits", "+1234567", "+1234567", ""},
		{"OK/FifteenDigits", "+123456789012345", "+123456789012345", ""},
		{"OK/GeneratedData", "+44 712345678", "+44712345678", ""},
		{"ErrSixDigits", "+123456", "", bad},
		{"ErrSixteenDigits", "+1234567890123456", "", bad},
		{"ErrNoPlus", "12345", "", bad},
		{"ErrNoPlusLong", "442079460958", "", bad},
		{"ErrInternationalPrefix", "0044 20 7946 0958", "", bad},
		{"ErrCountryCodeZero", "+0123456789", "", bad},
		{"ErrLetters", "+44 20 7946 CALL", "", bad},
		{"ErrExtension", "+44 20 7946 0958 x12", "", bad},
		{"ErrDoublePlus", "++442079460958", "", bad},
		{"ErrPlusInside", "+44+2079460958", "", bad},
		{"ErrSlash", "+44/2079460958", "", bad},
		{"ErrTab", "+44\t2079460958", "", bad},
		{"ErrNonASCIIDigits", "+٤٤٢٠٧٩٤٦٠٩٥٨", "", bad},
		{"ErrOnlyPunctuation", "+ ( ) - .", "", bad},
		{"ErrEmpty", "", "", "is required"},
		{"ErrBlank", "   ", "", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := NormalizePhone(tt.in)
			if got != tt.want || msg != tt.msg {
				t.Fatalf("NormalizePhone(%q) = %q, %q; want %q, %q", tt.in, got, msg, tt.want, tt.msg)
			}
		})
	}
}

func TestEmail(t *testing.T) {
	const bad = "must be a valid e-mail address"
	long := strings.Repeat("a", 60) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 62) + ".com"
	tests := []struct {
		name, in, want string
	}{
		{"OK/Seed", "Sean.Bond@disney.com", ""},
		{"OK/Plus", "ops+kyb@example.co.uk", ""},
		{"OK/HyphenDomain", "oliver.smith@acme-holdings.com", ""},
		{"OK/DigitsInDomain", "a@123abc.io", ""},
		{"OK/Unicode", "jürgen@bücher.de", ""},
		{"OK/Max254", long[:len(long)-len(".com")] + ".co", ""},
		{"ErrTooLong", long, "must be at most 254 characters"},
		{"ErrNoAt", "sean.bond.disney.com", bad},
		{"ErrNoLocal", "@disney.com", bad},
		{"ErrNoDomain", "sean@", bad},
		{"ErrSingleLabelDomain", "sean@localhost", bad},
		{"ErrIPDomain", "sean@1.2.3.4", bad},
		{"ErrDomainLiteral", "sean@[127.0.0.1]", bad},
		{"ErrTrailingDot", "sean@disney.com.", bad},
		{"ErrDoubleDotDomain", "sean@disney..com", bad},
		{"ErrHyphenLabel", "sean@-disney.com", bad},
		{"ErrUnderscoreDomain", "sean@dis_ney.com", bad},
		{"ErrDoubleDotLocal", "sean..bond@disney.com", bad},
		{"ErrLeadingDotLocal", ".sean@disney.com", bad},
		{"ErrLocalTooLong", strings.Repeat("a", 65) + "@disney.com", bad},
		{"ErrDisplayName", "Sean Bond <sean@disney.com>", bad},
		{"ErrAngleBrackets", "<sean@disney.com>", bad},
		{"ErrComment", "sean@disney.com (Sean)", bad},
		{"ErrQuotedLocal", `"sean bond"@disney.com`, bad},
		{"ErrSurroundingSpace", " sean@disney.com", bad},
		{"ErrInnerSpace", "sean bond@disney.com", bad},
		{"ErrTwoAddresses", "a@b.com, c@d.com", bad},
		{"ErrTwoAts", "a@b@disney.com", bad},
		{"ErrNewline", "sean@disney.com\n", bad},
		{"ErrEmpty", "", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Email(tt.in); got != tt.want {
				t.Fatalf("Email(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if n := len(long); n != 255 {
		t.Fatalf("test setup: long address is %d characters, want 255", n)
	}
}

func TestEmailKey(t *testing.T) {
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{"OK/SameIgnoringCase", "Sean.Bond@disney.com", "sean.bond@DISNEY.COM", true},
		{"OK/SameIgnoringSpaces", " sean.bond@disney.com ", "sean.bond@disney.com", true},
		{"ErrDifferent", "sean.bond@disney.com", "sean.bond2@disney.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EmailKey(tt.a) == EmailKey(tt.b); got != tt.same {
				t.Fatalf("EmailKey(%q) == EmailKey(%q) is %v, want %v", tt.a, tt.b, got, tt.same)
			}
		})
	}
	if got := EmailKey(" Sean.Bond@Disney.com "); got != "sean.bond@disney.com" {
		t.Fatalf("EmailKey = %q", got)
	}
}

func TestURL(t *testing.T) {
	const bad = "must be an absolute http or https URL"
	tests := []struct {
		name, in, want string
	}{
		{"OK/Seed", "https://verify.com/2", ""},
		{"OK/GeneratedData", "https://kyc.example.com/verifications/911685b0-acaa-418d-bd91-ed80b96c62cf", ""},
		{"OK/HTTPWithPort", "http://localhost:8080/verify/abc?x=1", ""},
		{"ErrRelative", "/verify/abc", bad},
		{"ErrNoHost", "https:///abc", bad},
		{"ErrScheme", "javascript:alert(1)", bad},
		{"ErrFTP", "ftp://example.com/x", bad},
		{"ErrUserInfo", "https://user:pw@example.com/", bad},
		{"ErrSpace", "https://example.com/a b", bad},
		{"ErrControl", "https://example.com/\x00", bad},
		{"ErrTooLong", "https://example.com/" + strings.Repeat("a", MaxURL), "must be at most 2048 characters"},
		{"ErrEmpty", "", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := URL(tt.in); got != tt.want {
				t.Fatalf("URL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
