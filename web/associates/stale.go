package associates

import (
	"errors"

	"github.com/verity-kyb/verity/internal/customer"
)

// staleNotice is the sentence saying who changed the customer since the
// editor was opened, read from the service's typed refusal; "" when err is
// not one.
func staleNotice(err error) string {
	var se *customer.StaleError
	if errors.As(err, &se) {
		return se.Message()
	}
	return ""
}
