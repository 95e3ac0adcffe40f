package har

import "errors"

// ErrNotHAR means the input is not a HAR file: not JSON, or JSON without a
// "log" object holding an "entries" array. The CLI maps it to exit code 2.
var ErrNotHAR = errors.New("not a HAR file")

// ErrOutputExists means the redacted output file already exists and
// overwriting was not asked for.
var ErrOutputExists = errors.New("output file already exists")

// ErrSameFile means the output path names the input file, which redaction
// must never modify.
var ErrSameFile = errors.New("output is the input file")

// ErrMetadata means the SAML metadata given to compare certificates could
// not be read or holds no signing certificate.
var ErrMetadata = errors.New("unusable SAML metadata")
