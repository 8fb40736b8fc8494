package page

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/views/layout"
)

// Flash kinds, as components.Flash renders them.
const (
	FlashSuccess = "success"
	FlashError   = "error"
	FlashInfo    = "info"
)

// AddFlash keeps a one-off notice for the next page this user sees (after a
// redirect). It is saved with the session at once.
func AddFlash(c echo.Context, kind, text string) error {
	sess := session(c)
	list, _ := sess.Values[keyFlash].([]string)
	sess.Values[keyFlash] = append(list, kind+"\x00"+text)
	return save(c)
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
