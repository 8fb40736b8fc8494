// Package layout holds the page shells every Verity page renders into: Base for signed-in pages
// (top bar, navigation, flash area) and Bare for the sign-in page.
package layout

import "github.com/verity-kyb/verity/views/components"

// Page is what the shell needs to know about the request; handlers fill it once per page.
type Page struct {
	Title     string       // page-specific part of <title>; "" shows just "Verity"
	User      *CurrentUser // nil when signed out
	CSRFToken string       // for the sign-out form and htmx's X-CSRF-Token header
	Active    string       // nav key of the current section: NavCustomers, NavStaff or NavAPIKeys
	Flash     []Flash
}

// CurrentUser is the signed-in staff member as the top bar shows them; IsAdmin unlocks the admin nav.
type CurrentUser struct {
	Name    string
	Email   string
	Role    string
	IsAdmin bool
}

// Flash is a one-off notice (Kind success, error or info); an alias so pages can hand it to components.Flash.
type Flash = components.FlashMessage

// Nav keys for Page.Active, so handlers and the top bar cannot drift apart.
const (
	NavCustomers = "customers"
	NavStaff     = "staff"
	NavAPIKeys   = "api-keys"
	NavAuditLog  = "audit-log"
	NavWebhooks  = "webhooks"
	NavAPIDocs   = "api-docs"
)

// Paths the shell links to; the router must serve them.
const (
	PathCustomers      = "/customers"
	PathStaff          = "/admin/staff"
	PathAPIKeys        = "/admin/api-keys"
	PathAuditLog       = "/admin/audit-log"
	PathWebhooks       = "/admin/webhooks"
	PathAPIDocs        = "/docs/api"
	PathAccount        = "/account"
	PathChangePassword = "/account/password"
	PathSignOut        = "/sign-out"
)

// htmxConfig is read by htmx at start-up. Eval, inline scripts and injected indicator styles are off so the
// pages run under a strict CSP (script-src 'self'; style-src 'self'). historyCacheSize 0 keeps customer data
// out of localStorage; refreshOnHistoryMiss then reloads from the server on Back. Error responses (4xx/5xx)
// are swapped like any other so a re-rendered form with its messages (422), a stale-edit notice (409/412) or
// the error handler's fragment is shown; the server picks the target with HX-Retarget/HX-Reswap when the
// requesting element's target is the wrong place for it.
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,` +
	`"historyCacheSize":0,"refreshOnHistoryMiss":true,` +
	`"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"[45]..","swap":true,"error":true}]}`

// title builds the document title: "Customers · Verity".
func title(t string) string {
	if t == "" {
		return "Verity"
	}
	return t + " · Verity"
}
