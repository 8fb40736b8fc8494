package customer

import "testing"

// WritePerLine makes imports write every line in its own transaction (the
// path before COPY) until the test ends.
func WritePerLine(t testing.TB) {
	importCopy = false
	t.Cleanup(func() { importCopy = true })
}

// StoredLookups is how many times imports looked stored references up.
func StoredLookups() int64 { return storedLookups.Load() }
