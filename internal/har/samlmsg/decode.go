// Package samlmsg decodes SAML protocol messages as they travel in HTTP
// (the Redirect binding's deflate+base64 and the POST binding's base64),
// summarises them for a human, and masks their personal and secret values
// while keeping their structure.
package samlmsg

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// MaxXML bounds a decoded message. Cognito accepts at most 100,000
// characters at its ACS, so 1 MiB leaves room and stops inflate bombs.
const MaxXML = 1 << 20

// Encoding says how a message was carried, so a rewritten message can be
// carried the same way.
type Encoding struct {
	// Deflated is true for the Redirect binding (raw DEFLATE, then base64).
	Deflated bool
	// Plain is true when the value was bare XML, not base64.
	Plain bool
}

// Decode turns a SAMLRequest or SAMLResponse parameter value into XML.
// It accepts standard or URL-safe base64, with or without padding, values
// still URL-escaped, and deflated or plain content. A value cut short
// gives the XML decoded so far and an error wrapping ErrTruncated.
func Decode(value string) ([]byte, Encoding, error) {
	v := strings.TrimSpace(value)
	if strings.HasPrefix(v, "<") {
		return []byte(v), Encoding{Plain: true}, checkSize(len(v))
	}
	if strings.Contains(v, "%") {
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
	}
	// A '+' that went through form decoding became a space; base64 never
	// holds spaces.
	v = strings.ReplaceAll(v, " ", "+")
	raw, complete := decodeBase64(v)
	if len(raw) == 0 {
		if !complete && v != "" {
			return nil, Encoding{}, fmt.Errorf("%w: the value is not base64", ErrNotSAML)
		}
		return nil, Encoding{}, fmt.Errorf("%w: empty value", ErrNotSAML)
	}
	if looksXML(raw) {
		if !complete {
			return raw, Encoding{}, fmt.Errorf("%w: base64 ends early", ErrTruncated)
		}
		return raw, Encoding{}, checkSize(len(raw))
	}
	zr := flate.NewReader(bytes.NewReader(raw))
	defer zr.Close()
	x, err := io.ReadAll(io.LimitReader(zr, MaxXML+1))
	if len(x) > MaxXML {
		return nil, Encoding{Deflated: true}, fmt.Errorf("%w: over %d bytes when inflated", ErrTooLarge, MaxXML)
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) && (len(x) == 0 || looksXML(x)) {
			return x, Encoding{Deflated: true}, fmt.Errorf("%w: the deflate stream ends early", ErrTruncated)
		}
		return nil, Encoding{}, fmt.Errorf("%w: neither XML nor deflated XML after base64", ErrNotSAML)
	}
	if !looksXML(x) {
		return nil, Encoding{}, fmt.Errorf("%w: inflated content is not XML", ErrNotSAML)
	}
	if !complete {
		return x, Encoding{Deflated: true}, fmt.Errorf("%w: base64 ends early", ErrTruncated)
	}
	return x, Encoding{Deflated: true}, nil
}

// Encode carries xml the way enc says: deflated and base64 for the
// Redirect binding, base64 for POST, or as is.
func Encode(xml []byte, enc Encoding) string {
	if enc.Plain {
		return string(xml)
	}
	if enc.Deflated {
		var buf bytes.Buffer
		zw, _ := flate.NewWriter(&buf, flate.DefaultCompression) // the level is valid
		zw.Write(xml)
		zw.Close()
		return base64.StdEncoding.EncodeToString(buf.Bytes())
	}
	return base64.StdEncoding.EncodeToString(xml)
}

func checkSize(n int) error {
	if n > MaxXML {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, n)
	}
	return nil
}

func looksXML(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '<'
}

// decodeBase64 decodes leniently; complete is false when the input was cut
// short or had junk, in which case the whole quanta before it are returned.
func decodeBase64(s string) (out []byte, complete bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', '\t':
			return -1
		case '-':
			return '+'
		case '_':
			return '/'
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	if len(s) > 4*MaxXML/3+4 {
		s = s[:4*MaxXML/3+4]
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err == nil {
		return b, true
	}
	var bad base64.CorruptInputError
	if errors.As(err, &bad) {
		n := int(bad)
		if n > len(s) {
			n = len(s)
		}
		n -= n % 4
		if b, err := base64.RawStdEncoding.DecodeString(s[:n]); err == nil {
			return b, false
		}
	}
	return nil, false
}
