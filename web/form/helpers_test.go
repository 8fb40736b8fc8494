package form_test

import (
	"errors"

	"github.com/verity-kyb/verity/internal/apperr"
)

// fieldErrors returns a validation error's messages by path.
func fieldErrors(err error) map[string][]string {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
