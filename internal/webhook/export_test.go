package webhook

// For the tests of package webhook_test.
const (
	ClaimSQL        = claimSQL
	RoundSessionSQL = roundSessionSQL
)
