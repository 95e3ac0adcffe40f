package provisioning

import "errors"

// ErrConfig means New was given an unusable Config (a nil Directory, say).
var ErrConfig = errors.New("provisioning: invalid engine configuration")

// ErrNotConfigured means the app's Provisioning page lacks what the
// operation needs, such as a Tenant URL; the error says which field.
var ErrNotConfigured = errors.New("provisioning is not configured")

// ErrProvisioningOff means a cycle was asked for an app whose Provisioning
// Status is Off. Turn it On (or use provision on demand, which works
// either way).
var ErrProvisioningOff = errors.New("provisioning status is Off")

// ErrBadMappings means the app's attribute-mapping document cannot be
// used; the error names the mapping and what is wrong with it.
var ErrBadMappings = errors.New("invalid attribute mappings")

// ErrClosed means the engine was closed.
var ErrClosed = errors.New("provisioning engine is closed")

// ErrAlreadyStarted means Start was called while the background loop was
// already running.
var ErrAlreadyStarted = errors.New("provisioning loop already started")
