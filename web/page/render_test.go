package page_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/web/page"
)

func TestRenderNeverLeavesATruncatedPage(t *testing.T) {
	e := echo.New()
	broken := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, _ = io.WriteString(w, "<main>half a page")
		return errors.New("template failed halfway")
	})
	e.GET("/broken", func(c echo.Context) error { return page.Render(c, http.StatusOK, broken) })
	e.GET("/whole", func(c echo.Context) error {
		return page.Render(c, http.StatusCreated, templ.Raw("<main>all of it</main>"))
	})

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/broken", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "half a page") {
		t.Errorf("a failing render answered %d %q, want a 500 without the partial page", rec.Code, rec.Body.String())
	}

	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/whole", nil))
	if rec.Code != http.StatusCreated || rec.Body.String() != "<main>all of it</main>" ||
		rec.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("a good render: %d %v %q", rec.Code, rec.Header(), rec.Body.String())
	}
}
