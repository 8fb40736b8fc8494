package adminview

import (
	"strconv"

	"github.com/verity-kyb/verity/internal/access"
	"github.com/verity-kyb/verity/views/components"
)

func id(n int64) string      { return strconv.FormatInt(n, 10) }
func userURL(n int64) string { return "/admin/staff/" + id(n) }
func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func roleOptions() []components.Option {
	out := make([]components.Option, len(access.Roles))
	for i, r := range access.Roles {
		out[i] = components.Option{Value: string(r), Label: string(r)}
	}
	return out
}
