package validate

import (
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	msgPhone = "must be a phone number in international format, e.g. +44 20 7946 0958"
	msgEmail = "must be a valid e-mail address"
	msgURL   = "must be an absolute http or https URL"
)

// NormalizePhone removes spaces, dashes, dots and parentheses and then wants
// E.164 syntax: "+", a first digit 1–9 (no country code starts with 0) and
// 7–15 digits in all. It returns the normalised number, or "" and a message.
// Only the syntax is checked; whether the number exists is not.
func NormalizePhone(s string) (normalized string, msg string) {
	if strings.TrimSpace(s) == "" {
		return "", msgRequired
	}
	n := strings.Map(func(r rune) rune {
		if r == '-' || r == '.' || r == '(' || r == ')' || unicode.Is(unicode.Zs, r) {
			return -1
		}
		return r
	}, s)
	if !isE164(n) {
		return "", msgPhone
	}
	return n, ""
}

// isE164 reports whether s is "+" followed by 7–15 ASCII digits, the first
// of them not 0.
func isE164(s string) bool {
	digits := len(s) - 1
	if digits < 7 || digits > 15 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Email checks the syntax of an address kept exactly as written: a bare
// local@domain (no display name, no quotes, no surrounding spaces) whose
// domain has at least two labels, at most MaxEmail characters.
func Email(s string) string {
	if strings.TrimSpace(s) == "" {
		return msgRequired
	}
	if utf8.RuneCountInString(s) > MaxEmail {
		return tooLong(MaxEmail)
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return msgEmail
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at > 64 || !validDomain(s[at+1:]) {
		return msgEmail
	}
	return ""
}

// validDomain wants a host name of two or more labels: letters, digits and
// inner hyphens, each label at most 63 bytes, and a top-level label that is
// not a number (so neither "localhost" nor "1.2.3.4" passes).
func validDomain(d string) bool {
	if len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return strings.ContainsFunc(tld, unicode.IsLetter)
}

// EmailKey is the form two addresses are compared in for uniqueness, so
// "Sean.Bond@disney.com" and "sean.bond@disney.com" count as the same.
func EmailKey(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// URL checks an absolute http or https link (such as a verification URL)
// of at most MaxURL characters.
func URL(s string) string {
	if strings.TrimSpace(s) == "" {
		return msgRequired
	}
	if utf8.RuneCountInString(s) > MaxURL {
		return tooLong(MaxURL)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isControl(r) }) {
		return msgURL
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return msgURL
	}
	return ""
}
