// Package static embeds the built front-end assets (CSS from Tailwind, htmx, app.js, images) so the
// verity binary serves them without files on disk. Rebuild them with `make assets`.
package static

import "embed"

// FS holds css/, js/ and img/ as built and committed; serve it under /static/.
//
//go:embed css js img
var FS embed.FS
