package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password length limits in characters; exported so forms can show them.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// argonParams are the cost settings of one argon2id hash.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	keyLen  uint32
	saltLen uint32
}

// currentParams follow OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane):
// roughly 20–50 ms per hash on a server core, slow for a guesser, fine for a
// sign-in. Raising them later only needs NeedsRehash to see the old hashes.
var currentParams = argonParams{memory: 19 * 1024, time: 2, threads: 1, keyLen: 32, saltLen: 16}

// Ceilings for parameters read back from a stored hash, so a corrupt row
// cannot make one verification allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 16
	maxKeyLen    = 128
)

var errMalformedHash = errors.New("auth: malformed password hash")

var b64 = base64.RawStdEncoding

// HashPassword returns the password as an argon2id PHC string
// ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash"), the one form we store.
func HashPassword(password string) (string, error) {
	return hashWith(password, currentParams)
}

func hashWith(password string, p argonParams) (string, error) {
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: read salt: %w", err)
	}
	key := idKey(password, salt, p.time, p.memory, p.threads, p.keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword tells whether password matches a stored PHC hash, comparing
// in constant time; a malformed hash is an error, never a match.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := idKey(password, salt, p.time, p.memory, p.threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports a hash made with other parameters than today's (or not
// readable), so a successful sign-in can upgrade it transparently.
func NeedsRehash(encoded string) bool {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return true
	}
	return p.memory != currentParams.memory || p.time != currentParams.time ||
		p.threads != currentParams.threads || uint32(len(key)) != currentParams.keyLen ||
		uint32(len(salt)) != currentParams.saltLen
}

// decodeHash parses "$argon2id$v=19$m=…,t=…,p=…$salt$key".
func decodeHash(encoded string) (p argonParams, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil ||
		fmt.Sprintf("m=%d,t=%d,p=%d", p.memory, p.time, p.threads) != parts[3] {
		return p, nil, nil, errMalformedHash
	}
	if p.memory == 0 || p.memory > maxMemoryKiB || p.time == 0 || p.time > maxTime || p.threads == 0 {
		return p, nil, nil, errMalformedHash
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, errMalformedHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > maxKeyLen {
		return p, nil, nil, errMalformedHash
	}
	p.saltLen, p.keyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// idKey is the one call of argon2 in Verity, counted so tests can see how
// many run at once (argonStats).
func idKey(password string, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	argonStats.begin()
	defer argonStats.end()
	return argon2.IDKey([]byte(password), salt, time, memory, threads, keyLen)
}

// passwordTooLong tells a password over MaxPasswordLen characters without
// hashing it, looking at the byte length first so a megabyte of input costs
// one comparison.
func passwordTooLong(pw string) bool {
	if len(pw) <= MaxPasswordLen {
		return false
	}
	return len(pw) > utf8.UTFMax*MaxPasswordLen || utf8.RuneCountInString(pw) > MaxPasswordLen
}

// passwordProblem applies the password policy and returns the message for
// the form field, "" when the password is acceptable. Length is counted in
// characters so a passphrase in any script is judged alike.
func passwordProblem(pw string) string {
	if passwordTooLong(pw) {
		return fmt.Sprintf("must be at most %d characters", MaxPasswordLen)
	}
	if !utf8.ValidString(pw) {
		return "must be valid UTF-8 text"
	}
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return fmt.Sprintf("must be at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return fmt.Sprintf("must be at most %d characters", MaxPasswordLen)
	case strings.TrimFunc(pw, unicode.IsSpace) == "":
		return "must not be only spaces"
	}
	return ""
}

// dummyHash is verified against when an e-mail is unknown, so a failed
// sign-in costs the same time whether or not the account exists.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword(rand.Text()) // crypto/rand never fails since Go 1.24
	return h
})
