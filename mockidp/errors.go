package mockidp

import "errors"

// ErrNoDirectory means Config.Directory was nil; pass the tenant's
// directory.
var ErrNoDirectory = errors.New("a directory is required")

// ErrBadBaseURL means Config.BaseURL is not an absolute http(s) URL without
// a path, such as https://login.microsoftonline.com or
// http://127.0.0.1:8080.
var ErrBadBaseURL = errors.New("the base URL must be an absolute http or https URL without a path")
