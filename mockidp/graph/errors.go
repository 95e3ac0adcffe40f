package graph

import "errors"

// ErrNoDirectory means Config.Directory was nil; pass the tenant's
// directory.
var ErrNoDirectory = errors.New("a directory is required")

// ErrBadURL means Config.LoginURL or Config.GraphURL is not an absolute
// http(s) URL, such as https://login.microsoftonline.com and
// https://graph.microsoft.com/v1.0.
var ErrBadURL = errors.New("must be an absolute http or https URL")

// ErrUnknownPermission means a client was registered with an application
// permission this mock does not know; use one of Permissions().
var ErrUnknownPermission = errors.New("unknown application permission")

// ErrBadClientName means a client registration's display name is empty or
// longer than 256 characters.
var ErrBadClientName = errors.New("the app registration's name must be 1 to 256 characters")
