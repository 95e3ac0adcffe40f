package samlmsg

import "errors"

// ErrNotSAML means the value is not a SAML protocol message in any of the
// encodings the bindings use (base64, deflate+base64, plain XML).
var ErrNotSAML = errors.New("not a SAML message")

// ErrTooLarge means a message inflates past the size limit; real messages
// are a few kilobytes, so this is a malformed or hostile value.
var ErrTooLarge = errors.New("SAML message too large")

// ErrTruncated means the value was cut short (a browser truncated the body
// that held it), so the XML could not be read whole.
var ErrTruncated = errors.New("SAML message truncated")
