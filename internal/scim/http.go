package scim

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// CheckContentType accepts the Content-Type of a request or response body
// that carries SCIM JSON: application/scim+json (what Entra sends, with
// "; charset=utf-8") or application/json, with a UTF-8 charset or none.
// Anything else, including a missing header, wraps ErrUnsupportedMediaType
// and says what was received.
func CheckContentType(header string) error {
	if strings.TrimSpace(header) == "" {
		return fmt.Errorf("%w: the Content-Type header is missing; send %s", ErrUnsupportedMediaType, MediaType)
	}
	mt, params, err := mime.ParseMediaType(header)
	if err != nil {
		return fmt.Errorf("%w: Content-Type %q cannot be parsed (%v); send %s", ErrUnsupportedMediaType, header, err, MediaType)
	}
	if mt != MediaType && mt != "application/json" {
		return fmt.Errorf("%w: Content-Type is %s; send %s or application/json", ErrUnsupportedMediaType, mt, MediaType)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return fmt.Errorf("%w: charset %q is not supported; SCIM bodies are UTF-8", ErrUnsupportedMediaType, cs)
	}
	return nil
}

// IsSCIMMediaType reports whether a response's Content-Type is exactly the
// SCIM media type (parameters aside), which Microsoft's validator insists
// on even though Entra itself also reads application/json.
func IsSCIMMediaType(header string) bool {
	mt, _, err := mime.ParseMediaType(header)
	return err == nil && mt == MediaType
}

// WriteJSON writes v as a SCIM response with status and Content-Type
// application/scim+json. A status of 204 writes no body.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", MediaType+"; charset=utf-8")
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		data, _ = json.Marshal(&Error{Status: http.StatusInternalServerError, Detail: "internal server error"})
		status = http.StatusInternalServerError
		err = fmt.Errorf("scim: encode %T response: %w", v, err)
	}
	w.WriteHeader(status)
	_, werr := w.Write(append(data, '\n'))
	if err != nil {
		return err
	}
	return werr
}

// WriteError writes err as a SCIM Error response, as ErrorFrom converts
// it: the sentinel's status and scimType, err's message as the detail, or
// a bare 500 for errors this package does not recognise.
func WriteError(w http.ResponseWriter, err error) error {
	e := ErrorFrom(err)
	return WriteJSON(w, e.Status, e)
}
