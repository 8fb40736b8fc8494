package customer

// SetCommonMatches sets how many matches make a short term common, for a
// test; the returned function restores the default.
func SetCommonMatches(n float64) (restore func()) {
	old := commonMatches
	commonMatches = n
	return func() { commonMatches = old }
}

// SetCommonSamples sets how many histogram bounds make a longer term
// common, for a test; the returned function restores the default.
func SetCommonSamples(n int) (restore func()) {
	old := commonSamples
	commonSamples = n
	return func() { commonSamples = old }
}
