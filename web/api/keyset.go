package api

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
)

// keysetPage is the shape of every list paged by keyset (history, notes,
// audit log, webhook deliveries): the page, whether more follow, and the id
// to pass as "before" for the next page.
type keysetPage[T any] struct {
	Content    []T    `json:"content"`
	HasNext    bool   `json:"hasNext"`
	NextBefore *int64 `json:"nextBefore"`
}

// keysetSize reads "size", 1 to max (default 50), into errs when it is bad.
func keysetSize(c echo.Context, errs apperr.FieldErrors, max int) int {
	size := intParam(errs, c.QueryParam("size"), "size")
	if size == 0 {
		size = 50
	}
	if size < 1 || size > max {
		errs.Add("size", "must be between 1 and "+strconv.Itoa(max))
	}
	return size
}

// pageOf makes the page of items read one longer than size (to know whether
// more follow), each shown as show makes it; id is an item's keyset id.
func pageOf[S, T any](items []S, size int, id func(S) int64, show func(S) T) keysetPage[T] {
	out := keysetPage[T]{Content: make([]T, 0, min(len(items), size))}
	if len(items) > size {
		items, out.HasNext = items[:size], true
		next := id(items[size-1])
		out.NextBefore = &next
	}
	for _, it := range items {
		out.Content = append(out.Content, show(it))
	}
	return out
}

func same[T any](x T) T { return x }
