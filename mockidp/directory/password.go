package directory

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Passwords are stored as "sha256$<salt>$<hash>" with a 16-byte random salt.
// A deliberately slow KDF (bcrypt, scrypt) would cost more than the RSA
// signature a sign-in is budgeted around, and this directory is a mock on
// loopback, not a security boundary; the salt still keeps equal passwords
// from looking equal in the database.
const passwordScheme = "sha256"

func hashPassword(r io.Reader, password string) (string, error) {
	var salt [16]byte
	if _, err := io.ReadFull(r, salt[:]); err != nil {
		return "", fmt.Errorf("make a password salt: %w", err)
	}
	sum := saltedSum(salt[:], password)
	enc := base64.RawStdEncoding
	return passwordScheme + "$" + enc.EncodeToString(salt[:]) + "$" + enc.EncodeToString(sum[:]), nil
}

func saltedSum(salt []byte, password string) [32]byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(password))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// checkPassword compares in constant time. A malformed stored hash never
// matches.
func checkPassword(stored, password string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 3 || parts[0] != passwordScheme {
		// Still do the work, so an unknown user costs the same as a known one.
		saltedSum(nil, password)
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[1])
	want, err2 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		saltedSum(nil, password)
		return false
	}
	got := saltedSum(salt, password)
	return subtle.ConstantTimeCompare(got[:], want) == 1
}

// validatePassword applies Entra's cloud password policy: 8 to 256
// characters with three of the four kinds (lowercase, uppercase, digits,
// symbols).
func validatePassword(password string) error {
	n := len([]rune(password))
	if n < 8 || n > 256 {
		return invalid("Password", fmt.Sprintf("must be 8 to 256 characters long (this one has %d)", n))
	}
	var lower, upper, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsSpace(r):
			return invalid("Password", "must not contain spaces")
		default:
			symbol = true
		}
	}
	kinds := 0
	for _, ok := range []bool{lower, upper, digit, symbol} {
		if ok {
			kinds++
		}
	}
	if kinds < 3 {
		return invalid("Password", "must contain three of: lowercase letters, uppercase letters, numbers and symbols")
	}
	return nil
}
