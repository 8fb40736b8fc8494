package customer

// SetCommonMatches sets how many matches make a short term common, for a
// test; the returned function restores the default.
func SetCommonMatches(n float64) (restore func()) {
	old := commonMatches
	commonMatches = n
	return func() { commonMatches = old }
}
