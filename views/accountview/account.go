package accountview

import (
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/verity-kyb/verity/internal/auth"
)

func autofocusIf(b bool) templ.Attributes {
	if b {
		return templ.Attributes{"autofocus": true}
	}
	return nil
}

func boolText(b bool) string { return strconv.FormatBool(b) }

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// otherSessions counts the sessions that are not the one asking.
func otherSessions(list []auth.Session) int {
	n := 0
	for _, s := range list {
		if !s.Current {
			n++
		}
	}
	return n
}

// browserName names a browser and system from a User-Agent well enough for
// a person to recognise their own ("Firefox on Linux"); the full string is
// shown beside it. Order matters: Edge and Opera also say Chrome, Chrome
// also says Safari.
func browserName(ua string) string {
	if ua == "" {
		return "Unknown browser"
	}
	browser := "Unknown browser"
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chromium/", "Chromium"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, o := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			return browser + " on " + o.name
		}
	}
	return browser
}
