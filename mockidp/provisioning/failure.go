package provisioning

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// failScope says how far a failure reaches.
type failScope int

const (
	// failObject: this object failed; it goes to escrow and the cycle
	// goes on.
	failObject failScope = iota
	// failJob: the whole job is affected (credentials refused, a 404 to a
	// filter query, the server unreachable); the cycle stops and the job
	// is quarantined.
	failJob
	// failAborted: the cycle's context ended; nothing is escrowed.
	failAborted
)

// Error codes as Entra's provisioning logs name them (reference §5.1,
// MS-LOGS), plus the Test Connection codes of §2.3.
const (
	CodeCredentialFailure      = "SystemForCrossDomainIdentityManagementCredentialValidationFailure"
	CodeUnavailable            = "CredentialValidationUnavailable"
	CodeServiceIncompatible    = "SystemForCrossDomainIdentityManagementServiceIncompatible"
	CodeMultipleEntries        = "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse"
	CodeDuplicateTarget        = "DuplicateTargetEntries"
	CodeInvalidAnchor          = "InvalidAnchor"
	CodeEntryConflict          = "EntryConflict"
	CodeTimeout                = "Timeout"
	CodeConnectionFailure      = "ConnectionFailure" // ours: Entra's name for a refused connection on a write is not public
	CodeUnauthorized           = "Unauthorized"
	CodeInsufficientRights     = "InsufficientRights"
	CodeMethodNotAllowed       = "MethodNotAllowed"
	CodeTooManyRequests        = "TooManyRequests"
	CodeInternalServerError    = "InternalServerError"
	CodeNotImplemented         = "NotImplemented"
	CodeUnprocessableEntity    = "UnprocessableEntity"
	CodeQuarantineException    = "EncounteredQuarantineException"
	CodeEscrowThreshold        = "EncounteredEscrowProportionThreshold"
	CodeRedundantExport        = "RedundantExport"
	CodeNotEffectivelyEntitled = "NotEffectivelyEntitled"
	CodeActionDisabled         = "TargetObjectActionDisabled" // ours: the Create/Update/Delete box is unticked
	CodeImportSkipped          = "ImportSkipped"
)

// failure is why an operation on one object failed.
type failure struct {
	scope   failScope
	code    string
	message string
	// reference marks a manager or group-member failure, which the escrow
	// proportion threshold leaves out (reference §5.3).
	reference bool
	ex        Exchange
}

func (f *failure) Error() string { return f.code + ": " + f.message }

// notFoundFilterText is MS-QUAR's quarantine reason for a filter query
// answered with 404 (reference §5.3), exactly.
const notFoundFilterText = "An HTTP/404 Not Found response was returned rather than the expected HTTP/200 OK response. To address this issue, ensure that the tenant URL is correct. The tenant URL is usually in a format like: https://<>/scim. If this does not resolve the issue, contact the application developer to ensure their SCIM endpoint conforms with the protocol https://tools.ietf.org/html/rfc7644#section-3.4.2"

// httpFailure describes an error status the way Entra's log does
// (reference §5.1, QA-1185756). isQuery marks a filter query, where a 404
// means the Tenant URL is wrong rather than that an object is gone.
func (c *scimClient) httpFailure(r *reply, isQuery bool) *failure {
	body := c.scrub(truncate(strings.TrimSpace(string(r.body)), 2000))
	f := &failure{scope: failObject, ex: r.ex, code: statusName(r.status)}
	f.message = fmt.Sprintf("StatusCode: %s Message: Processing of the HTTP request resulted in an exception. Please see the HTTP response returned by the 'Response' property of this exception for details. Web Response: %s.", statusName(r.status), body)
	switch r.status {
	case http.StatusUnauthorized:
		f.scope, f.code = failJob, CodeUnauthorized
	case http.StatusForbidden:
		f.scope, f.code = failJob, CodeInsufficientRights
	case http.StatusNotFound:
		if isQuery {
			f.scope, f.code = failJob, CodeServiceIncompatible
			f.message = notFoundFilterText + " " + f.message
		} else {
			f.code = CodeInvalidAnchor
			f.message = "The object's cached target id no longer exists in the application; restart provisioning to match it again. " + f.message
		}
	case http.StatusConflict:
		f.code = CodeEntryConflict
	case http.StatusMethodNotAllowed:
		f.code = CodeMethodNotAllowed
	case http.StatusTooManyRequests:
		f.code = CodeTooManyRequests
	case http.StatusInternalServerError:
		f.code = CodeInternalServerError
	case http.StatusNotImplemented:
		f.code = CodeNotImplemented
	case http.StatusUnprocessableEntity:
		f.code = CodeUnprocessableEntity
	}
	return f
}

// transportFailure describes a request that got no response. A cancelled
// context aborts; anything else is an unreachable server, counted by the
// cycle to decide when the whole job is down.
func transportFailure(ctx context.Context, r *reply, err error) *failure {
	ex := Exchange{}
	if r != nil {
		ex = r.ex
	}
	if ctx.Err() != nil {
		return &failure{scope: failAborted, code: "Cancelled", message: "the cycle was stopped", ex: ex}
	}
	code := CodeConnectionFailure
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		code = CodeTimeout
	}
	return &failure{scope: failObject, code: code, message: "An error occured while sending the request: " + ex.Detail + ".", ex: ex}
}

// incompatible describes a 2xx answer the client cannot use (reference
// §2.3 wording).
func (c *scimClient) incompatible(r *reply, why string) *failure {
	return &failure{
		scope: failObject,
		code:  CodeServiceIncompatible,
		message: "We are not able to deserialize the resource received from your SCIM endpoint because your SCIM endpoint is not fully compatible with the Azure Active Directory SCIM client (" + why + "). Here is the resource we received from your SCIM endpoint: " +
			c.scrub(truncate(strings.TrimSpace(string(r.body)), 2000)),
		ex: r.ex,
	}
}
