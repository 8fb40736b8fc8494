package page

import (
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/views/layout"
)

// Flash kinds, as components.Flash renders them.
const (
	FlashSuccess = "success"
	FlashError   = "error"
	FlashInfo    = "info"
)

// Flashes live in the session cookie, which browsers cap at 4 KB: at most
// maxFlashes are kept (the newest) and each is cut to maxFlashBytes, so a
// run of actions without a page view in between can never overflow it.
const (
	maxFlashes    = 3
	maxFlashBytes = 240
)

// AddFlash keeps a one-off notice for the next page this user sees (after a
// redirect). It is saved with the session at once.
func AddFlash(c echo.Context, kind, text string) error {
	sess := session(c)
	list, _ := sess.Values[keyFlash].([]string)
	list = append(list, kind+"\x00"+clipText(text, maxFlashBytes))
	if len(list) > maxFlashes {
		list = append([]string(nil), list[len(list)-maxFlashes:]...)
	}
	sess.Values[keyFlash] = list
	return save(c)
}

// clipText cuts s to at most n bytes on a character boundary, marking the cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// TakeFlashes returns and forgets the pending notices.
func TakeFlashes(c echo.Context) []layout.Flash {
	sess := session(c)
	if sess == nil {
		return nil
	}
	list, _ := sess.Values[keyFlash].([]string)
	if len(list) == 0 {
		return nil
	}
	delete(sess.Values, keyFlash)
	_ = save(c)
	out := make([]layout.Flash, 0, len(list))
	for _, f := range list {
		kind, text, _ := strings.Cut(f, "\x00")
		out = append(out, layout.Flash{Kind: kind, Text: text})
	}
	return out
}
