package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/internal/apperr"
	"github.com/verity-kyb/verity/internal/customer"
)

// noteJSON is a note as the API shows it.
type noteJSON struct {
	ID           int64             `json:"id"`
	Text         string            `json:"text"`
	Author       noteAuthor        `json:"author"`
	CreatedAt    time.Time         `json:"createdAt"`
	StatusChange *noteStatusChange `json:"statusChange,omitempty"`
}

type noteAuthor struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

type noteStatusChange struct {
	From customer.Status `json:"from"`
	To   customer.Status `json:"to"`
}

func noteOf(n customer.Note) noteJSON {
	out := noteJSON{ID: n.ID, Text: n.Text, Author: noteAuthor{Type: string(n.AuthorType), Name: n.AuthorName}, CreatedAt: n.CreatedAt.UTC()}
	if n.StatusTo != nil && n.StatusFrom != nil {
		out.StatusChange = &noteStatusChange{From: *n.StatusFrom, To: *n.StatusTo}
	}
	return out
}

func (h handlers) handleNoteList(c echo.Context) error {
	ref, err := reference(c)
	if err != nil {
		return err
	}
	errs := apperr.FieldErrors{}
	size := keysetSize(c, errs, 200)
	before := intParam(errs, c.QueryParam("before"), "before")
	if err := apperr.Invalid(errs); err != nil {
		return err
	}
	notes, err := h.Customers.Notes(c.Request().Context(), actorOf(c), ref, int64(before), size+1)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(notes, size, func(n customer.Note) int64 { return n.ID }, noteOf))
}

func (h handlers) handleNoteCreate(c echo.Context) error {
	ref, err := reference(c)
	if err != nil {
		return err
	}
	var in customer.NoteInput
	if _, err := readJSON(c, &in); err != nil {
		return err
	}
	n, err := h.Customers.AddNote(c.Request().Context(), actorOf(c), ref, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, noteOf(*n))
}
