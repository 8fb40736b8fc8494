package main

import (
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/web"
)

// mountPages wires the web admin; until the pages exist the API runs alone.
func mountPages(a *app) (func(*echo.Echo), func(echo.Context, web.Envelope) error, error) {
	return nil, nil, nil
}
