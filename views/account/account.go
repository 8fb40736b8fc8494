package account

import (
	"strconv"

	"github.com/a-h/templ"
)

func autofocusIf(b bool) templ.Attributes {
	if b {
		return templ.Attributes{"autofocus": true}
	}
	return nil
}

func statusText(status int) string { return "Error " + strconv.Itoa(status) }
