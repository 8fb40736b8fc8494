package validate

import (
	"testing"
	"time"
)

const (
	msgFormatWant = "must be a date in the form YYYY-MM-DD"
	msgRealWant   = "must be a real calendar date"
	msgPastWant   = "must be in the past"
)

// day builds a UTC calendar day for expectations.
func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestDate(t *testing.T) {
	today := time.Date(2024, time.June, 15, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name, in string
		want     time.Time
		msg      string
	}{
		{"OK/Yesterday", "2024-06-14", day(2024, 6, 14), ""},
		{"OK/LeapDay", "2024-02-29", day(2024, 2, 29), ""},
		{"OK/Seed", "2001-01-31", day(2001, 1, 31), ""},
		{"OK/Before1900", "1850-05-01", day(1850, 5, 1), ""},
		{"ErrToday", "2024-06-15", time.Time{}, msgPastWant},
		{"ErrTomorrow", "2024-06-16", time.Time{}, msgPastWant},
		{"ErrFarFuture", "2999-01-01", time.Time{}, msgPastWant},
		{"ErrNotLeapYear", "2023-02-29", time.Time{}, msgRealWant},
		{"ErrDay31InApril", "2024-04-31", time.Time{}, msgRealWant},
		{"ErrMonth13", "2024-13-01", time.Time{}, msgRealWant},
		{"ErrMonth00", "2024-00-10", time.Time{}, msgRealWant},
		{"ErrDay00", "2024-01-00", time.Time{}, msgRealWant},
		{"ErrSingleDigits", "2024-6-1", time.Time{}, msgFormatWant},
		{"ErrDayFirst", "15-06-2024", time.Time{}, msgFormatWant},
		{"ErrSlashes", "2024/06/14", time.Time{}, msgFormatWant},
		{"ErrCompact", "20240614", time.Time{}, msgFormatWant},
		{"ErrTimestamp", "2024-06-14T00:00:00Z", time.Time{}, msgFormatWant},
		{"ErrPadded", " 2024-06-14", time.Time{}, msgFormatWant},
		{"ErrFullwidthDigits", "２０２４-０６-１４", time.Time{}, msgFormatWant},
		{"ErrSignedYear", "+202-06-14", time.Time{}, msgFormatWant},
		{"ErrWords", "yesterday", time.Time{}, msgFormatWant},
		{"ErrEmpty", "", time.Time{}, "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := Date(tt.in, today)
			if !got.Equal(tt.want) || msg != tt.msg {
				t.Fatalf("Date(%q) = %v, %q; want %v, %q", tt.in, got, msg, tt.want, tt.msg)
			}
			if msg == "" && got.Location() != time.UTC {
				t.Fatalf("Date(%q) location = %v, want UTC", tt.in, got.Location())
			}
		})
	}
}

// TestDateTodayIsLocal shows that "today" is the calendar day of the time
// passed in, in its own location, not the UTC day.
func TestDateTodayIsLocal(t *testing.T) {
	pacific := time.FixedZone("UTC-7", -7*60*60)
	lateEvening := time.Date(2024, time.June, 15, 23, 30, 0, 0, pacific) // already 16 June in UTC
	t.Run("ErrSameLocalDay", func(t *testing.T) {
		if _, msg := Date("2024-06-15", lateEvening); msg != msgPastWant {
			t.Fatalf("msg = %q, want %q", msg, msgPastWant)
		}
	})
	t.Run("OK/PreviousLocalDay", func(t *testing.T) {
		if _, msg := Date("2024-06-14", lateEvening); msg != "" {
			t.Fatalf("msg = %q", msg)
		}
	})
}

func TestAdultDate(t *testing.T) {
	today := time.Date(2024, time.June, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in string
		today    time.Time
		min      int
		want     time.Time
		msg      string
	}{
		{"OK/ExactlySixteen", "2008-06-15", today, 16, day(2008, 6, 15), ""},
		{"ErrOneDayShort", "2008-06-16", today, 16, time.Time{}, "must be at least 16 years ago"},
		{"ErrOneMonthShort", "2008-07-15", today, 16, time.Time{}, "must be at least 16 years ago"},
		{"OK/Seed", "2001-01-31", today, 16, day(2001, 1, 31), ""},
		{"OK/Earliest", "1900-01-01", today, 16, day(1900, 1, 1), ""},
		{"ErrBefore1900", "1899-12-31", today, 16, time.Time{}, "must be on or after 1900-01-01"},
		{"ErrToday", "2024-06-15", today, 16, time.Time{}, msgPastWant},
		{"ErrFuture", "2030-01-01", today, 16, time.Time{}, msgPastWant},
		{"ErrNotReal", "2007-02-29", today, 16, time.Time{}, msgRealWant},
		{"ErrFormat", "15/06/2008", today, 16, time.Time{}, msgFormatWant},
		{"ErrMinYearsInMessage", "2000-01-01", today, 30, time.Time{}, "must be at least 30 years ago"},
		{"OK/ZeroMinYears", "2024-06-14", today, 0, day(2024, 6, 14), ""},
		// Born on 29 February: a year older on 29 February in leap years ...
		{"OK/LeapBirthdayOnLeapDay", "2008-02-29", day(2024, 2, 29), 16, day(2008, 2, 29), ""},
		{"ErrLeapBirthdayDayBefore", "2008-02-29", day(2024, 2, 28), 16, time.Time{}, "must be at least 16 years ago"},
		// ... and on 1 March in other years.
		{"ErrLeapBirthdayFeb28", "2008-02-29", day(2025, 2, 28), 17, time.Time{}, "must be at least 17 years ago"},
		{"OK/LeapBirthdayMarch1", "2008-02-29", day(2025, 3, 1), 17, day(2008, 2, 29), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := AdultDate(tt.in, tt.today, tt.min)
			if !got.Equal(tt.want) || msg != tt.msg {
				t.Fatalf("AdultDate(%q, %v, %d) = %v, %q; want %v, %q",
					tt.in, tt.today.Format(DateLayout), tt.min, got, msg, tt.want, tt.msg)
			}
		})
	}
}
