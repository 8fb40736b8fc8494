package associates

import (
	"github.com/labstack/echo/v4"

	"github.com/verity-kyb/verity/web/page"
)

// Register mounts this area's pages on the signed-in group.
func Register(g *echo.Group, s page.Services) {
	_ = g
	_ = s
}
