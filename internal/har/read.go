package har

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// readOptions tolerate what browsers occasionally write: invalid UTF-8 in
// bodies and repeated member names.
var readOptions = json.JoinOptions(
	jsontext.AllowInvalidUTF8(true),
	jsontext.AllowDuplicateNames(true),
)

// Read decodes a whole HAR file into memory. An input that is not a HAR
// gives an error wrapping ErrNotHAR.
func Read(r io.Reader) (*HAR, error) {
	var h HAR
	br := bufio.NewReaderSize(r, 1<<16)
	if err := json.UnmarshalRead(br, &h, readOptions); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotHAR, err)
	}
	if h.Log.Entries == nil {
		return nil, fmt.Errorf("%w: no log.entries array", ErrNotHAR)
	}
	return &h, nil
}

// Write encodes h as indented JSON, the way browsers export it. Members
// the reader did not know are written back as they were; optional string
// members that are empty (say Chrome's "serverIPAddress": "" of a failed
// request) are left out.
func Write(w io.Writer, h *HAR) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	err := json.MarshalWrite(bw, h, jsontext.Multiline(true), jsontext.WithIndent("  "), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	if err != nil {
		return fmt.Errorf("write HAR: %w", err)
	}
	if err := bw.WriteByte('\n'); err != nil {
		return fmt.Errorf("write HAR: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write HAR: %w", err)
	}
	return nil
}

// Header returns the first value of the named header (case-insensitive).
func Header(hs []NameValue, name string) (string, bool) {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// maxBody bounds how much of a decoded body the analysis and redaction
// look at, so a hostile file cannot make them allocate without limit.
const maxBody = 32 << 20

// Body returns a response's body as bytes: base64 decoded when so encoded,
// and gunzipped when a tool exported the compressed bytes. A body cut short
// by the browser is returned as far as it goes, with truncated set.
func (c *Content) Body() (body []byte, truncated bool) {
	if c.Encoding != "base64" {
		b := []byte(c.Text)
		return b, c.Size > 0 && int64(len(b)) < c.Size
	}
	b, ok := decodeBase64Lenient(c.Text)
	if !ok {
		truncated = true
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err == nil {
			u, err := io.ReadAll(io.LimitReader(zr, maxBody))
			if err != nil {
				truncated = true
			}
			b = u
		}
	}
	if c.Size > 0 && int64(len(b)) < c.Size {
		truncated = true
	}
	return b, truncated
}

// IsText reports whether a MIME type names a textual body.
func IsText(mimeType string) bool {
	mt, _, err := mime.ParseMediaType(mimeType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(mimeType, ";", 2)[0]))
	}
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/javascript", "application/x-javascript",
		"application/xml", "application/x-www-form-urlencoded", "application/xhtml+xml", "":
		return true
	}
	return false
}

// decodeBase64Lenient decodes standard or URL-safe base64 with or without
// padding and with stray whitespace. When the input is cut short it decodes
// the whole quanta it has and reports ok=false.
func decodeBase64Lenient(s string) ([]byte, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\n', '\r', '\t':
			return -1
		case '-':
			return '+'
		case '_':
			return '/'
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err == nil {
		return b, true
	}
	// Keep the whole quanta before the first bad byte (a body cut short or
	// with junk appended).
	var bad base64.CorruptInputError
	if errors.As(err, &bad) {
		n := int(bad) - int(bad)%4
		if n > len(s) {
			n = len(s) - len(s)%4
		}
		if b, err := base64.RawStdEncoding.DecodeString(s[:n]); err == nil {
			return b, false
		}
	}
	return nil, false
}
