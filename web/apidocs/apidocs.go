// Package apidocs serves /docs/api, the API reference for people: the OpenAPI
// document (web/api/openapi) rendered by Swagger UI. The page is public, like
// the document it renders (GET /platform/v1/openapi.json needs no key):
// integrators read it before they have an account; staff reach it from the
// top bar.
package apidocs

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/views/apidocsview"
	"github.com/verity-kyb/verity/views/layout"
	"github.com/verity-kyb/verity/web/page"
)

// Register mounts GET /docs/api on g (sessions loaded, sign-in not required).
func Register(g *echo.Group) {
	g.GET(layout.PathAPIDocs, handleShow)
}

func handleShow(c echo.Context) error {
	return page.Render(c, http.StatusOK, apidocsview.Page(page.Layout(c, "API reference", layout.NavAPIDocs)))
}
