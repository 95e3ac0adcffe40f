package scim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// checkFaithful reads the raw text of a JSON value that encoding/json has
// already accepted and refuses what it would have decoded unfaithfully:
//
//   - an object with the same name twice (encoding/json keeps the last one
//     silently, so the client and the server would disagree on the value);
//   - a string holding bytes that are not UTF-8, or a \u escape of a lone
//     UTF-16 surrogate (both silently become U+FFFD, so what is stored is
//     not what was sent, and two different names could collide).
//
// Errors name the attribute (its path of object names) and the byte
// offset, never the value, which may be personal data.
func checkFaithful(data []byte) error {
	c := faithChecker{data: data}
	c.skipSpace()
	return c.value("")
}

type faithChecker struct {
	data []byte
	pos  int
}

func (c *faithChecker) skipSpace() {
	for c.pos < len(c.data) {
		switch c.data[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

// value checks the value at pos (already known to be valid JSON) and moves
// past it. path names where it is, for errors.
func (c *faithChecker) value(path string) error {
	if c.pos >= len(c.data) {
		return nil
	}
	switch c.data[c.pos] {
	case '{':
		c.pos++
		seen := map[string]bool{}
		for {
			c.skipSpace()
			if c.pos >= len(c.data) || c.data[c.pos] == '}' {
				c.pos++
				return nil
			}
			if c.data[c.pos] == ',' {
				c.pos++
				continue
			}
			start := c.pos
			if err := c.str(path, "a name"); err != nil {
				return err
			}
			var name string
			if err := json.Unmarshal(c.data[start:c.pos], &name); err != nil {
				return fmt.Errorf("%w: the body is not valid JSON: %v", ErrInvalidSyntax, err)
			}
			if seen[name] {
				return fmt.Errorf("%w: %q appears twice%s; JSON names must be unique (RFC 8259 §4), so send it once", ErrInvalidSyntax, name, inside(path))
			}
			seen[name] = true
			c.skipSpace()
			c.pos++ // ':'
			c.skipSpace()
			if err := c.value(join(path, name)); err != nil {
				return err
			}
		}
	case '[':
		c.pos++
		for {
			c.skipSpace()
			if c.pos >= len(c.data) || c.data[c.pos] == ']' {
				c.pos++
				return nil
			}
			if c.data[c.pos] == ',' {
				c.pos++
				continue
			}
			if err := c.value(path); err != nil {
				return err
			}
		}
	case '"':
		return c.str(path, "the value")
	default: // a number, true, false or null
		for c.pos < len(c.data) && !strings.ContainsRune(" \t\r\n,]}", rune(c.data[c.pos])) {
			c.pos++
		}
		return nil
	}
}

// str checks the string literal at pos and moves past it.
func (c *faithChecker) str(path, what string) error {
	start := c.pos
	c.pos++ // opening quote
	for c.pos < len(c.data) {
		b := c.data[c.pos]
		switch {
		case b == '"':
			c.pos++
			return nil
		case b == '\\':
			if c.pos+1 < len(c.data) && c.data[c.pos+1] == 'u' {
				r, ok := c.hex4(c.pos + 2)
				if ok && utf16.IsSurrogate(r) {
					low, lowOK := rune(0), false
					if c.pos+11 < len(c.data) && c.data[c.pos+6] == '\\' && c.data[c.pos+7] == 'u' {
						low, lowOK = c.hex4(c.pos + 8)
					}
					if r >= 0xDC00 || !lowOK || utf16.DecodeRune(r, low) == utf8.RuneError {
						return fmt.Errorf("%w: %s of %s at byte %d holds \\u%04X, half of a UTF-16 surrogate pair without its other half; that is not a character and cannot be stored as sent. Send the whole pair, or the character itself in UTF-8", ErrInvalidValue, what, attrName(path), start, r)
					}
					c.pos += 12
					continue
				}
				c.pos += 6
				continue
			}
			c.pos += 2
		case b < utf8.RuneSelf:
			c.pos++
		default:
			r, size := utf8.DecodeRune(c.data[c.pos:])
			if r == utf8.RuneError && size <= 1 {
				return fmt.Errorf("%w: %s of %s holds bytes that are not UTF-8 (at byte %d); SCIM bodies are UTF-8 (RFC 7644 §3.8), and the text cannot be stored as sent. Send it encoded as UTF-8", ErrInvalidValue, what, attrName(path), c.pos)
			}
			c.pos += size
		}
	}
	return nil
}

func (c *faithChecker) hex4(at int) (rune, bool) {
	if at+4 > len(c.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(c.data[at:at+4]), 16, 16)
	return rune(v), err == nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func inside(path string) string {
	if path == "" {
		return ""
	}
	return fmt.Sprintf(" in %q", path)
}

func attrName(path string) string {
	if path == "" {
		return "the body"
	}
	return strconv.Quote(path)
}

// CheckUserName refuses a userName that cannot be stored and found as
// sent: blank, or holding a control character (NUL included), which no
// sign-in name has and which filters and logs cannot carry faithfully.
func CheckUserName(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%w: userName is required for a User and must not be blank", ErrInvalidValue)
	}
	for i, r := range s {
		if r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) {
			return fmt.Errorf("%w: userName holds the control character U+%04X at byte %d; a user name is printable text (Entra sends the userPrincipalName). Remove it", ErrInvalidValue, r, i)
		}
		if r == utf8.RuneError {
			return fmt.Errorf("%w: userName holds U+FFFD, the replacement character, at byte %d: the name was damaged before it was sent (not UTF-8 at its source); send the original name", ErrInvalidValue, i)
		}
	}
	return nil
}
