// Package migrations holds Verity's SQL schema migrations, embedded so the one
// binary can migrate any database it is pointed at without files beside it.
package migrations

import "embed"

// FS holds the numbered goose migrations (00001_…sql); postgres.Migrate runs
// them and pgtest hashes them to know when its template database is stale.
//
//go:embed *.sql
var FS embed.FS
