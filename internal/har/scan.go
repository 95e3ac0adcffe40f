package har

import (
	"bufio"
	"fmt"
	"io"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// fileMeta is what a streamed HAR says about itself.
type fileMeta struct {
	Version string
	Creator Creator
	Browser *Creator
	Pages   []Page
	Entries int
}

// scan streams a HAR: it decodes the small parts of log (version,
// creator, browser, pages) and hands each entry to fn as raw JSON, valid
// only during the call, so a large file never sits in memory whole.
func scan(r io.Reader, fn func(idx int, raw jsontext.Value) error) (*fileMeta, error) {
	dec := jsontext.NewDecoder(bufio.NewReaderSize(r, 1<<20), readOptions)
	notHAR := func(why string, err error) error {
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrNotHAR, why, err)
		}
		return fmt.Errorf("%w: %s", ErrNotHAR, why)
	}
	if k := dec.PeekKind(); k != '{' {
		_, err := dec.ReadToken()
		return nil, notHAR("the file does not hold a JSON object", err)
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, notHAR("reading the top-level object", err)
	}
	var meta *fileMeta
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return nil, notHAR("reading the top-level object", err)
		}
		if name.String() != "log" || meta != nil {
			if err := dec.SkipValue(); err != nil {
				return nil, notHAR("reading the top-level object", err)
			}
			continue
		}
		if dec.PeekKind() != '{' {
			return nil, notHAR(`"log" is not an object`, nil)
		}
		meta, err = scanLog(dec, fn)
		if err != nil {
			return nil, err
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, notHAR("reading the top-level object", err)
	}
	if meta == nil {
		return nil, notHAR(`no "log" object`, nil)
	}
	return meta, nil
}

func scanLog(dec *jsontext.Decoder, fn func(int, jsontext.Value) error) (*fileMeta, error) {
	notHAR := func(why string, err error) error {
		return fmt.Errorf("%w: %s: %v", ErrNotHAR, why, err)
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, notHAR("reading log", err)
	}
	meta := &fileMeta{}
	sawEntries := false
	for dec.PeekKind() != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, notHAR("reading log", err)
		}
		switch name := tok.String(); name {
		case "version":
			if err := json.UnmarshalDecode(dec, &meta.Version); err != nil {
				return nil, notHAR("log.version", err)
			}
		case "creator":
			if err := json.UnmarshalDecode(dec, &meta.Creator); err != nil {
				return nil, notHAR("log.creator", err)
			}
		case "browser":
			meta.Browser = &Creator{}
			if err := json.UnmarshalDecode(dec, meta.Browser); err != nil {
				return nil, notHAR("log.browser", err)
			}
		case "pages":
			if err := json.UnmarshalDecode(dec, &meta.Pages); err != nil {
				return nil, notHAR("log.pages", err)
			}
		case "entries":
			if dec.PeekKind() != '[' {
				return nil, fmt.Errorf(`%w: log.entries is not an array`, ErrNotHAR)
			}
			sawEntries = true
			if _, err := dec.ReadToken(); err != nil {
				return nil, notHAR("log.entries", err)
			}
			for dec.PeekKind() != ']' {
				raw, err := dec.ReadValue()
				if err != nil {
					return nil, notHAR(fmt.Sprintf("log.entries[%d]", meta.Entries), err)
				}
				if raw.Kind() != '{' {
					return nil, fmt.Errorf("%w: log.entries[%d] is not an object", ErrNotHAR, meta.Entries)
				}
				if err := fn(meta.Entries, raw); err != nil {
					return nil, err
				}
				meta.Entries++
			}
			if _, err := dec.ReadToken(); err != nil {
				return nil, notHAR("log.entries", err)
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return nil, notHAR("log."+name, err)
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, notHAR("reading log", err)
	}
	if !sawEntries {
		return nil, fmt.Errorf(`%w: log has no "entries" array`, ErrNotHAR)
	}
	return meta, nil
}
