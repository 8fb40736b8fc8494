package validate

import (
	"fmt"
	"strings"
	"time"
)

// DateLayout is the only accepted date format, YYYY-MM-DD, as in the API.
const DateLayout = "2006-01-02"

// DatePattern is DateLayout's shape as an HTML pattern, so a form refuses
// "12/31/1990" before it is sent.
const DatePattern = `[0-9]{4}-[0-9]{2}-[0-9]{2}`

const (
	msgDateFormat = "must be a date in the form YYYY-MM-DD"
	msgDateReal   = "must be a real calendar date"
	msgDatePast   = "must be in the past"
	msgDate1900   = "must be on or after 1900-01-01"
)

// earliestBirthDate is the oldest date of birth AdultDate accepts.
var earliestBirthDate = time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)

// Date checks a YYYY-MM-DD date that is real and strictly before today's
// calendar day (in today's own location); the result is midnight UTC.
func Date(s string, today time.Time) (time.Time, string) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, msgRequired
	}
	if !dateShape(s) {
		return time.Time{}, msgDateFormat
	}
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, msgDateReal
	}
	if !d.Before(calendarDay(today)) {
		return time.Time{}, msgDatePast
	}
	return d, ""
}

// AdultDate is Date for a date of birth: also not before 1900-01-01 and at
// least minYears whole years before today. Someone born on 29 February
// reaches a new year of age on 1 March in years without that day.
func AdultDate(s string, today time.Time, minYears int) (time.Time, string) {
	d, msg := Date(s, today)
	if msg != "" {
		return time.Time{}, msg
	}
	if d.Before(earliestBirthDate) {
		return time.Time{}, msgDate1900
	}
	if yearsBetween(d, calendarDay(today)) < minYears {
		return time.Time{}, fmt.Sprintf("must be at least %d years ago", minYears)
	}
	return d, ""
}

// dateShape reports whether s is exactly four, two and two ASCII digits
// separated by hyphens; time.Parse alone would let other forms through.
func dateShape(s string) bool {
	if len(s) != len(DateLayout) {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 4, 7:
			if s[i] != '-' {
				return false
			}
		default:
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
	}
	return true
}

// calendarDay is midnight UTC of t's date as seen in t's own location.
func calendarDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// yearsBetween counts the whole years from birth to day, as an age is counted.
func yearsBetween(birth, day time.Time) int {
	years := day.Year() - birth.Year()
	if day.Month() < birth.Month() || (day.Month() == birth.Month() && day.Day() < birth.Day()) {
		years--
	}
	return years
}
