package sp

import "errors"

// ErrConfig is wrapped by New when the configuration cannot work; the
// message names the field.
var ErrConfig = errors.New("invalid service provider configuration")

// errNoSession is returned when a request carries no valid session.
var errNoSession = errors.New("no session")
