package document_test

import (
	"strings"
	"testing"

	"github.com/verity-kyb/verity/internal/document"
)

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("a", 300) + ".pdf"
	cases := []struct{ in, want string }{
		{"passport.pdf", "passport.pdf"},
		{"C:\\Users\\ada\\Desktop\\passport.pdf", "passport.pdf"},
		{"../../etc/passwd", "passwd"},
		{"invoice\u202Egnp.exe", "invoicegnp.exe"}, // a right-to-left override would show "invoiceexe.png"
		{"a\x00b\nc\td.png", "abcd.png"},
		{"  my   scan .png  ", "my scan .png"},
		{"...hidden", "hidden"},
		{`what?"*<>|.pdf`, "what______.pdf"},
		{"zero\u200Bwidth.jpg", "zerowidth.jpg"},
		{"\u202E\u200F", ""},
		{"Zoë Łukasz – paszport.pdf", "Zoë Łukasz – paszport.pdf"},
		{"bad\xffutf8.pdf", "badutf8.pdf"},
		{long, strings.Repeat("a", document.MaxNameLength-4) + ".pdf"},
	}
	for _, tc := range cases {
		if got := document.SanitizeName(tc.in); got != tc.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTypesAndSubTypes(t *testing.T) {
	if got := document.Types(); len(got) != 7 || got[0] != document.TypeCompanyDoc {
		t.Fatalf("%v", got)
	}
	if subs := document.SubTypes(document.TypeIDCard); len(subs) != 2 || subs[0] != document.SubFrontSide {
		t.Fatalf("%v", subs)
	}
	if len(document.SubTypes(document.TypeSelfie)) != 0 || document.TypeDriversLicense.Label() != "Driver's licence" ||
		document.SubIncorporationCert.Label() != "Certificate of incorporation" {
		t.Fatal("labels")
	}
}

func TestContentDisposition(t *testing.T) {
	cases := []struct{ name, want string }{
		{"Company Structure.pdf", `attachment; filename="Company Structure.pdf"; filename*=UTF-8''Company%20Structure.pdf`},
		{"Zoë's \"scan\" 100%.png", `attachment; filename="Zo_'s _scan_ 100_.png"; filename*=UTF-8''Zo%C3%AB%27s%20%22scan%22%20100%25.png`},
		{"a:b@c=d;e.pdf", `attachment; filename="a:b@c=d;e.pdf"; filename*=UTF-8''a%3Ab%40c%3Dd%3Be.pdf`},
	}
	for _, tc := range cases {
		if got := document.ContentDisposition("attachment", tc.name); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}
