package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestHashPassword(t *testing.T) {
	h, err := HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not an argon2id PHC string with today's parameters", h)
	}
	if strings.Contains(h, testPassword) {
		t.Fatal("hash contains the password")
	}
	h2, _ := HashPassword(testPassword)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}

	t.Run("OK", func(t *testing.T) {
		ok, err := VerifyPassword(h, testPassword)
		if err != nil || !ok {
			t.Fatalf("VerifyPassword = %v, %v; want true", ok, err)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		ok, err := VerifyPassword(h, testPassword+"!")
		if err != nil || ok {
			t.Fatalf("VerifyPassword = %v, %v; want false", ok, err)
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$a2V5",
			strings.Replace(h, "m=19456", "m=99999999", 1), strings.Replace(h, "t=2", "t=2x", 1)} {
			ok, err := VerifyPassword(bad, testPassword)
			if ok || !errors.Is(err, errMalformedHash) {
				t.Errorf("VerifyPassword(%q) = %v, %v; want errMalformedHash", bad, ok, err)
			}
		}
	})
}

func TestNeedsRehash(t *testing.T) {
	current, _ := HashPassword(testPassword)
	weaker, _ := hashWith(testPassword, argonParams{memory: 8 * 1024, time: 1, threads: 1, keyLen: 32, saltLen: 16})
	tests := []struct {
		name string
		hash string
		want bool
	}{
		{"CurrentParams", current, false},
		{"OlderParams", weaker, true},
		{"Malformed", "bcrypt-ish", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsRehash(tt.hash); got != tt.want {
				t.Fatalf("NeedsRehash = %v, want %v", got, tt.want)
			}
		})
	}
	// A hash with old parameters still verifies: upgrading happens on sign-in.
	if ok, err := VerifyPassword(weaker, testPassword); err != nil || !ok {
		t.Fatalf("old-parameter hash does not verify: %v, %v", ok, err)
	}
}

func TestPasswordPolicy(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want string
	}{
		{"OK", "twelve chars", ""},
		{"OKUnicode", "żółć gęślą!!", ""},
		{"ErrShort", "eleven char", "must be at least 12 characters"},
		{"ErrLong", strings.Repeat("x", 129), "must be at most 128 characters"},
		{"OKLongest", strings.Repeat("x", 128), ""},
		{"ErrBlank", strings.Repeat(" ", 12), "must not be only spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := passwordProblem(tt.pw); got != tt.want {
				t.Fatalf("passwordProblem(%q) = %q, want %q", tt.pw, got, tt.want)
			}
		})
	}
}
