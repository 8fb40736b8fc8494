package main

import (
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/web"
	"github.com/verity-kyb/verity/web/site"
)

// mountPages wires the web admin onto the same services the API uses.
func mountPages(a *app) (func(*echo.Echo), func(echo.Context, web.Envelope) error, error) {
	return site.Mount(site.Deps{Config: a.cfg, Log: a.log, Customers: a.customers, Auth: a.auth})
}
