package validate

import (
	"slices"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		max      int
		required bool
		want     string
	}{
		{"OK/Seed", "Updated Postal Code", MaxPostalCode, true, ""},
		{"OK/Unicode", "Müller & Söhne GmbH", MaxName, true, ""},
		{"OK/AtLimitInRunes", strings.Repeat("é", MaxPersonName), MaxPersonName, true, ""},
		{"OK/EmojiCountsOnce", strings.Repeat("🙂", 10), 10, true, ""},
		{"OK/OptionalEmpty", "", MaxCity, false, ""},
		{"OK/OptionalBlank", "   ", MaxCity, false, ""},
		{"OK/NoLimit", strings.Repeat("a", 10000), 0, true, ""},
		{"OK/ZeroWidthJoinerKept", "می\u200cخواهم", MaxPersonName, true, ""},
		{"ErrRequiredEmpty", "", MaxName, true, "is required"},
		{"ErrRequiredBlank", " \t ", MaxName, true, "is required"},
		{"ErrOverLimitInRunes", strings.Repeat("é", MaxPersonName+1), MaxPersonName, true, "must be at most 100 characters"},
		{"ErrOverLimitOptional", strings.Repeat("a", MaxPostalCode+1), MaxPostalCode, false, "must be at most 32 characters"},
		{"ErrNUL", "Acme\x00Ltd", MaxName, true, "must not contain control characters"},
		{"ErrNewline", "Acme\nLtd", MaxName, true, "must not contain control characters"},
		{"ErrCarriageReturn", "Acme\rLtd", MaxName, true, "must not contain control characters"},
		{"ErrTab", "Acme\tLtd", MaxName, true, "must not contain control characters"},
		{"ErrEscape", "Acme\x1b[31mLtd", MaxName, true, "must not contain control characters"},
		{"ErrDEL", "Acme\x7fLtd", MaxName, true, "must not contain control characters"},
		{"ErrC1", "Acme\u0085Ltd", MaxName, true, "must not contain control characters"},
		{"ErrLineSeparator", "Acme\u2028Ltd", MaxName, true, "must not contain control characters"},
		{"ErrBidiOverride", "Acme \u202egnp.exe", MaxName, true, "must not contain control characters"},
		{"ErrBidiIsolate", "Acme \u2067Ltd", MaxName, true, "must not contain control characters"},
		{"ErrInvalidUTF8", "Acme \xff Ltd", MaxName, true, "must be valid UTF-8 text"},
		{"ErrZeroWidthSpacesOnly", "\u200b\u200b", MaxName, true, "must not be blank"},
		{"ErrJoinersOnly", "\u200c\u200d", MaxPersonName, true, "must not be blank"},
		{"ErrBOMAndWordJoiner", " \ufeff\u2060 ", MaxName, true, "must not be blank"},
		{"ErrSoftHyphenOnly", "\u00ad", MaxName, true, "must not be blank"},
		{"ErrHangulFiller", "\u3164", MaxName, true, "must not be blank"},
		{"OK/OptionalInvisibleOnlyIsNone", "\u200b", MaxCity, false, ""},
		{"OK/VisibleWithZeroWidth", "\u200bAcme", MaxName, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in, tt.max, tt.required); got != tt.want {
				t.Fatalf("Text(%q, %d, %v) = %q, want %q", tt.in, tt.max, tt.required, got, tt.want)
			}
		})
	}
}

func TestMultilineText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"OK/LineBreaks", "Holding company.\nTrading subsidiaries.", ""},
		{"OK/WindowsLineBreaks", "Line one\r\nLine two", ""},
		{"ErrTab", "Item\tValue", "must not contain control characters"},
		{"ErrLoneCarriageReturn", "Line one\rLine two", "must not contain control characters"},
		{"ErrRequiredOnlyInvisible", "\u200b\u200d", "must not be blank"},
		{"ErrNUL", "Line one\x00", "must not contain control characters"},
		{"ErrBidiOverride", "Reason \u202e", "must not contain control characters"},
		{"ErrOverLimit", strings.Repeat("a", MaxReason+1), "must be at most 1000 characters"},
		{"ErrRequiredOnlyNewlines", "\n\r\n", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MultilineText(tt.in, MaxReason, true); got != tt.want {
				t.Fatalf("MultilineText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestBlank(t *testing.T) {
	for _, in := range []string{"", " ", "\u200b", "\u200c\u200d", "\ufeff", "\u2060", "\u00ad", "\u180e", "\ufe0f", "\u034f", "\u2800"} {
		if !Blank(in) {
			t.Errorf("Blank(%q) = false, want true", in)
		}
	}
	for _, in := range []string{"a", "\u200bA", "·", "\xff"} {
		if Blank(in) {
			t.Errorf("Blank(%q) = true, want false", in)
		}
	}
}

func TestEmptyToNil(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		name string
		in   *string
		nil  bool
	}{
		{"OK/Nil", nil, true},
		{"OK/Empty", s(""), true},
		{"OK/Blank", s(" \t\n "), true},
		{"OK/Value", s("Suite 1975"), false},
		{"OK/ValueWithSpaces", s(" Suite 1975 "), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EmptyToNil(tt.in)
			if (got == nil) != tt.nil {
				t.Fatalf("EmptyToNil(%v) = %v, want nil=%v", tt.in, got, tt.nil)
			}
			if got != nil && got != tt.in {
				t.Fatal("a value must be returned unchanged")
			}
		})
	}
}

func TestDocumentType(t *testing.T) {
	const bad = "must be one of PASSPORT, ID_CARD, DRIVERS_LICENSE, RESIDENCE_PERMIT"
	tests := []struct {
		name, in, want, msg string
	}{
		{"OK/Passport", "PASSPORT", "PASSPORT", ""},
		{"OK/IDCard", "ID_CARD", "ID_CARD", ""},
		{"OK/Seed", "DRIVERS_LICENSE", "DRIVERS_LICENSE", ""},
		{"OK/ResidencePermit", "RESIDENCE_PERMIT", "RESIDENCE_PERMIT", ""},
		{"OK/AliasDriverLicense", "DRIVER_LICENSE", "DRIVERS_LICENSE", ""},
		{"OK/AliasDrivers", "DRIVERS", "DRIVERS_LICENSE", ""},
		{"OK/AliasDrivingLicense", "DRIVING_LICENSE", "DRIVERS_LICENSE", ""},
		{"ErrLowercase", "passport", "", bad},
		{"ErrLowercaseAlias", "drivers", "", bad},
		{"ErrPadded", " PASSPORT", "", bad},
		{"ErrSpaced", "ID CARD", "", bad},
		{"ErrUnknown", "VISA", "", bad},
		{"ErrEmpty", "", "", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := DocumentType(tt.in)
			if got != tt.want || msg != tt.msg {
				t.Fatalf("DocumentType(%q) = %q, %q; want %q, %q", tt.in, got, msg, tt.want, tt.msg)
			}
		})
	}
	t.Run("OK/ListIsCanonicalAndCopied", func(t *testing.T) {
		list := DocumentTypes()
		want := []string{"PASSPORT", "ID_CARD", "DRIVERS_LICENSE", "RESIDENCE_PERMIT"}
		if !slices.Equal(list, want) {
			t.Fatalf("DocumentTypes() = %v", list)
		}
		list[0] = "CHANGED"
		if DocumentTypes()[0] != "PASSPORT" {
			t.Fatal("caller changed the shared list")
		}
	})
}

func TestRiskScore(t *testing.T) {
	const bad = "must be one of LOW, MEDIUM, HIGH"
	tests := []struct {
		name, in, want string
	}{
		{"OK/Seed", "LOW", ""},
		{"OK/Medium", "MEDIUM", ""},
		{"OK/High", "HIGH", ""},
		{"ErrLowercase", "low", bad},
		{"ErrUnknown", "CRITICAL", bad},
		{"ErrPadded", "HIGH ", bad},
		{"ErrEmpty", "", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RiskScore(tt.in); got != tt.want {
				t.Fatalf("RiskScore(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	t.Run("OK/ListIsCopied", func(t *testing.T) {
		list := RiskScores()
		if !slices.Equal(list, []string{"LOW", "MEDIUM", "HIGH"}) {
			t.Fatalf("RiskScores() = %v", list)
		}
		list[0] = "CHANGED"
		if RiskScores()[0] != "LOW" {
			t.Fatal("caller changed the shared list")
		}
	})
}
