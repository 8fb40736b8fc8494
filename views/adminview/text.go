package adminview

import (
	"strconv"
)

func id(n int64) string      { return strconv.FormatInt(n, 10) }
func userURL(n int64) string { return "/admin/staff/" + id(n) }
