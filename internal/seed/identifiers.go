package seed

import "strings"

// registrationNumber makes a company number in the local register's format.
func (g *generator) registrationNumber(code string) string {
	d := g.digits
	switch code {
	case "GB":
		return "0" + d(7)
	case "DE":
		return "HRB " + d(6)
	case "AT":
		return "FN " + d(6) + string(rune('a'+g.r.IntN(26)))
	case "FR":
		return d(3) + " " + d(3) + " " + d(3)
	case "NL", "DK", "CZ":
		return d(8)
	case "ES":
		return "B" + d(8)
	case "IT":
		return d(11)
	case "IE":
		return d(6)
	case "BE":
		return "0" + d(3) + "." + d(3) + "." + d(3)
	case "PT", "NO", "LT":
		return d(9)
	case "PL":
		return "KRS " + d(10)
	case "SE":
		return "556" + d(3) + "-" + d(4)
	case "FI":
		return d(7) + "-" + d(1)
	case "LU":
		return "B" + d(6)
	case "CH":
		return "CHE-" + d(3) + "." + d(3) + "." + d(3)
	case "US":
		return d(2) + "-" + d(7)
	}
	return d(10)
}

// phone is a mobile number as people write it ("+44 712 345 678"); the
// product stores it normalised to E.164.
func (g *generator) phone(c *country) string {
	cc, national, _ := strings.Cut(c.phonePrefix, " ")
	if c.code == "US" {
		national = string(rune('2'+g.r.IntN(8))) + g.digits(2) + string(rune('2'+g.r.IntN(8))) + g.digits(6)
	} else {
		national += g.digits(8)
	}
	var b strings.Builder
	b.WriteString(cc)
	for len(national) > 4 {
		b.WriteString(" " + national[:3])
		national = national[3:]
	}
	b.WriteString(" " + national)
	return b.String()
}

// pattern fills a postal code pattern: '9' is a digit, 'A' a capital letter.
func (g *generator) pattern(p string) string {
	b := g.buf[:0]
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '9':
			b = append(b, byte('0'+g.r.IntN(10)))
		case 'A':
			b = append(b, byte('A'+g.r.IntN(26)))
		default:
			b = append(b, p[i])
		}
	}
	g.buf = b
	return string(b)
}

func (g *generator) digits(n int) string {
	b := g.buf[:0]
	for range n {
		b = append(b, byte('0'+g.r.IntN(10)))
	}
	g.buf = b
	return string(b)
}

func (g *generator) letters(n int) string {
	b := g.buf[:0]
	for range n {
		b = append(b, byte('A'+g.r.IntN(26)))
	}
	g.buf = b
	return string(b)
}

// slug lower-cases s in plain ASCII for e-mail addresses and domains: a run
// of anything but letters and digits becomes one sep ("O'Brien" → "o.brien").
func slug(s string, sep byte) string {
	var b strings.Builder
	pending := false
	for _, r := range strings.ToLower(s) {
		var part string
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			part = string(r)
		default:
			part = asciiFold[r]
		}
		if part == "" {
			pending = b.Len() > 0
			continue
		}
		if pending {
			b.WriteByte(sep)
			pending = false
		}
		b.WriteString(part)
	}
	if b.Len() == 0 {
		return "contact"
	}
	return b.String()
}
