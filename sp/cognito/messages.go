package cognito

import (
	"errors"
	"fmt"
	"strings"

	"github.com/crewjam/saml"
)

// Messages the pool shows, on its error page or as the error_description
// it sends to the app's redirect_uri. Those marked "Cognito's wording" are
// quoted from Cognito (reference §5.7); the others follow its style where
// Cognito's own text is not known.
const (
	// MsgRelayStateMissing is Cognito's wording for a post to the ACS
	// without a RelayState field (an IdP-initiated post, typically).
	MsgRelayStateMissing = "Required String parameter 'RelayState' is not present"
	// MsgSAMLResponseMissing follows the same framework message for a post
	// without SAMLResponse.
	MsgSAMLResponseMissing = "Required String parameter 'SAMLResponse' is not present"
	// MsgUnsolicited is Cognito's wording for a response it did not ask for
	// (an unknown RelayState) while IdP-initiated sign-in is off.
	MsgUnsolicited = "Invalid samlResponse or relayState from identity provider"
	// MsgPageError is Cognito's hosted error page text: wrong client,
	// redirect_uri mismatch, or the ACS reached other than by POST.
	MsgPageError = "An error was encountered with the requested page."
	// MsgSomethingWentWrong is what Cognito's managed login shows when the
	// IdP's response came more than PendingTTL after the request.
	MsgSomethingWentWrong = "Something went wrong"
	// MsgLoginOptionUnavailable is shown when identity_provider (or
	// idp_identifier) names no SAML IdP of the pool.
	MsgLoginOptionUnavailable = "Login option is not available. Please try another one"
	// MsgMetadataUnavailable is shown when the IdP's metadata cannot be
	// fetched or used.
	MsgMetadataUnavailable = "Unable to retrieve metadata from the identity provider"

	// InvalidResponsePrefix starts every message about a SAML response the
	// pool refused (Cognito's wording).
	InvalidResponsePrefix = "Invalid SAML response received: "

	// MsgResponseSignatureInvalid is Cognito's wording for a Response whose
	// signature does not verify with the metadata's certificates.
	MsgResponseSignatureInvalid = InvalidResponsePrefix + "SAML Response signature is invalid"
	// MsgAssertionSignatureInvalid is Cognito's wording for an Assertion
	// that is unsigned (in an unsigned Response) or whose signature does not
	// verify.
	MsgAssertionSignatureInvalid = InvalidResponsePrefix + "SAML Assertion signature is invalid"
	// MsgEncryptedAssertionRequired is the wording reported for a plain
	// assertion when the IdP is set to EncryptedResponses.
	MsgEncryptedAssertionRequired = InvalidResponsePrefix + "Responses must contain exactly one Encrypted Assertion"
	// MsgOneAssertion is the same rule for plain responses.
	MsgOneAssertion = InvalidResponsePrefix + "Responses must contain exactly one Assertion"
	// MsgAudience is for an Audience that is not the pool's entity ID.
	MsgAudience = InvalidResponsePrefix + "Audience restriction does not match the user pool's entity ID"
	// MsgRecipient is for a Destination or Recipient that is not the ACS.
	MsgRecipient = InvalidResponsePrefix + "Destination or Recipient does not match the user pool's ACS URL"
	// MsgInResponseTo is for a response to another request than the pending
	// one.
	MsgInResponseTo = InvalidResponsePrefix + "InResponseTo does not match the SAML request sent to the identity provider"
	// MsgExpired is for a response or assertion past its validity.
	MsgExpired = InvalidResponsePrefix + "SAML assertion has expired"
	// MsgNotYetValid is for a response or assertion dated in the future.
	MsgNotYetValid = InvalidResponsePrefix + "SAML assertion is not yet valid"
	// MsgIssuer is for an Issuer that is not the metadata's entityID.
	MsgIssuer = InvalidResponsePrefix + "Issuer does not match the identity provider's metadata"
	// MsgReplayed is for an assertion the pool has already accepted.
	MsgReplayed = InvalidResponsePrefix + "SAML assertion has already been used"
	// MsgDecryption is for an encrypted assertion the pool cannot decrypt.
	MsgDecryption = InvalidResponsePrefix + "Unable to decrypt the Encrypted Assertion"
	// MsgNameIDMissing is for an assertion without a NameID.
	MsgNameIDMissing = InvalidResponsePrefix + "NameID is missing from the SAML assertion"
	// MsgTooLarge is for a SAMLResponse over MaxSAMLResponseChars.
	MsgTooLarge = InvalidResponsePrefix + "SAML response is larger than 100000 characters"
	// MsgMalformed is for a response that is not a SAML Response.
	MsgMalformed = InvalidResponsePrefix + "Unable to parse the SAML response"
	// MsgMissingElement is for a response without a required element
	// (Subject, Conditions, AuthnStatement, ...).
	MsgMissingElement = InvalidResponsePrefix + "SAML response is missing a required element"
	// statusPrefix starts MsgStatus.
	statusPrefix = InvalidResponsePrefix + "Status is not Success: "
)

// maxAttributeLength is the longest attribute value Cognito stores.
const maxAttributeLength = 2048

// MsgAttributeRequired is Cognito's wording for a required pool attribute
// that the response did not carry (or the mapping does not map).
func MsgAttributeRequired(attr string) string {
	return InvalidResponsePrefix + "Invalid user attributes: " + attr + ": The attribute is required"
}

// MsgAttributeCannotBeDeleted is Cognito's wording for a required
// attribute the user had that the response no longer carries.
func MsgAttributeCannotBeDeleted(attr string) string {
	return InvalidResponsePrefix + "Invalid user attributes: " + attr + ": Required attribute cannot be deleted"
}

// MsgAttributeTooLong is the wording reported for an attribute value over
// 2,048 characters.
func MsgAttributeTooLong(attr string) string {
	return fmt.Sprintf("%sThe value of the attribute %s must have a length less than or equal to %d characters",
		InvalidResponsePrefix, attr, maxAttributeLength)
}

// MsgStatus is for a Response whose StatusCode is not Success.
func MsgStatus(status string) string { return statusPrefix + status }

// responseMessage turns crewjam's reason for refusing a response into the
// message the user sees. assertions is how many Assertion elements the
// response holds, to tell "two assertions" from other malformed input.
func responseMessage(err error, assertions int) string {
	var bad saml.ErrBadStatus
	switch {
	case errors.Is(err, saml.ErrAssertionReplayed):
		return MsgReplayed
	case errors.Is(err, saml.ErrInvalidSignature) || isSignatureMissing(err):
		// crewjam names the element whose signature failed: "cannot
		// validate signature on Response: ...". A missing signature is
		// only an error for the assertion (the Response may be unsigned).
		if strings.Contains(privateReason(err), "on Response") {
			return MsgResponseSignatureInvalid
		}
		return MsgAssertionSignatureInvalid
	case errors.Is(err, saml.ErrDecryptionFailed):
		return MsgDecryption
	case errors.As(err, &bad):
		return MsgStatus(bad.Status)
	case errors.Is(err, saml.ErrAudienceMismatch):
		return MsgAudience
	case errors.Is(err, saml.ErrDestinationMismatch):
		return MsgRecipient
	case errors.Is(err, saml.ErrRequestIDMismatch):
		return MsgInResponseTo
	case errors.Is(err, saml.ErrExpired):
		return MsgExpired
	case errors.Is(err, saml.ErrNotYetValid):
		return MsgNotYetValid
	case errors.Is(err, saml.ErrIssuerMismatch):
		return MsgIssuer
	case assertions > 1:
		return MsgOneAssertion
	case errors.Is(err, saml.ErrMissingElement):
		return MsgMissingElement
	}
	return MsgMalformed
}

// isSignatureMissing reports crewjam's unexported "signature element not
// present", which it returns unclassified for an unsigned assertion in an
// unsigned Response. The text is the only handle; the unsigned-response
// test pins it.
func isSignatureMissing(err error) bool {
	return strings.Contains(privateReason(err), "signature element not present")
}

// privateReason is crewjam's reason for refusing a response, for the log.
// It never includes the response itself (InvalidResponseError.Response).
func privateReason(err error) string {
	var ire *saml.InvalidResponseError
	if errors.As(err, &ire) && ire.PrivateErr != nil {
		return ire.PrivateErr.Error()
	}
	return err.Error()
}

// otherBrowserHint explains a response posted from a browser that did not
// start the sign-in it answers.
func (p *Pool) otherBrowserHint() string {
	start := "the RudderStack SSO start page (/sso)"
	if p.startURL != "" {
		start = p.startURL
	}
	return "This browser did not start the sign-in this response answers: the user pool's " + BrowserCookie +
		" cookie is missing or belongs to another browser (a response copied or forwarded, another browser profile, or cookies blocked for the sign-in domain). " +
		"The response was not used, so the browser that started the sign-in can still finish it; to sign in here, start again at " + start + " in this browser."
}

// Hint says, in the admin's terms, what to check for a message the pool
// showed or sent: which field on which Entra screen or RudderStack page
// holds the wrong value, and what it should be. It returns "" for messages
// it does not know.
func (p *Pool) Hint(message string) string {
	start := "the RudderStack SSO start page (/sso)"
	if p.startURL != "" {
		start = p.startURL
	}
	switch {
	case message == MsgRelayStateMissing || message == MsgUnsolicited:
		return "The response did not answer a sign-in this user pool started. RudderStack supports SP-initiated sign-in only: users start at " +
			start + ". If this came from the My Apps tile or Entra's Test button: that is expected with the guide's Sign on URL (the Reply URL); " +
			"keep Relay State empty and tell users to start at " + start + ". " +
			"A sign-in already completed, or started on another server, also ends here."
	case message == MsgPageError:
		return "The page was reached in a way Cognito does not accept: the ACS " + p.acsURL +
			" takes the SAML response only by HTTP POST (a GET usually means the My Apps tile opened the guide's Sign on URL, the Reply URL: " +
			"users must start at " + start + "), and /oauth2/authorize needs a known client_id with its exact redirect_uri."
	case message == MsgSomethingWentWrong:
		return "More than 5 minutes passed between leaving for the identity provider and its response arriving, so the user pool cancelled the sign-in. Start again at " + start + "."
	case message == MsgLoginOptionUnavailable:
		return "The identity_provider (or idp_identifier) in the request names no SAML identity provider of this user pool: the organisation's SSO configuration at RudderStack (provider name and App Federation Metadata URL) is missing or differs."
	case message == MsgMetadataUnavailable || message == InvalidResponsePrefix+MsgMetadataUnavailable:
		return "The user pool fetches the App Federation Metadata URL the admin sent to RudderStack (Entra > Single sign-on > SAML Certificates > App Federation Metadata Url). It must be reachable over https and return this app's metadata."
	case message == MsgResponseSignatureInvalid || message == MsgAssertionSignatureInvalid:
		return "The signature does not verify with the signing certificates in the App Federation Metadata the user pool holds. Check that RudderStack has this app's App Federation Metadata URL (Entra > Single sign-on > SAML Certificates), that the response or assertion is signed (Entra > SAML Certificates > Signing Option), and, after a certificate rotation, that the active certificate is in the metadata: the user pool caches metadata for up to 6 hours."
	case message == MsgAudience:
		return "Entra > Single sign-on > Basic SAML Configuration > Identifier (Entity ID) must be exactly " + p.entityID + "."
	case message == MsgRecipient:
		return "Entra > Single sign-on > Basic SAML Configuration > Reply URL (Assertion Consumer Service URL) must be exactly " + p.acsURL + " (https, no trailing slash)."
	case message == MsgInResponseTo:
		return "The response answers a different SAML request than the one this sign-in sent. Start again at " + start + " in one browser tab."
	case message == MsgExpired || message == MsgNotYetValid:
		return "The response is outside its validity window: it took too long to arrive, was replayed later, or the identity provider's clock is off. Start again at " + start + "."
	case message == MsgIssuer:
		return "The response was issued by another identity provider (tenant) than the one in the App Federation Metadata RudderStack holds: send RudderStack this app's metadata URL."
	case message == MsgReplayed:
		return "This SAML response was already used to sign in, and each is accepted once (a browser Back or refresh resends it). Start again at " + start + "."
	case message == MsgEncryptedAssertionRequired || message == MsgDecryption:
		return "RudderStack expects encrypted assertions for this organisation: in Entra > Single sign-on > Token encryption, import the user pool's encryption certificate and activate it."
	case message == MsgOneAssertion:
		return "A response must carry exactly one assertion; Entra sends one. The response was altered on the way."
	case message == MsgNameIDMissing:
		return "Entra > Single sign-on > Attributes & Claims > Unique User Identifier (Name ID) must be set (user.userprincipalname)."
	case strings.HasPrefix(message, InvalidResponsePrefix+"Invalid user attributes: "):
		return "Entra > Single sign-on > Attributes & Claims must send every attribute the user pool requires under the exact name RudderStack maps: Email (no namespace) = user.mail. The user must also have a value: Entra > Users > (user) > Properties > Email."
	case strings.HasPrefix(message, statusPrefix):
		return "The identity provider answered with an error status instead of signing the user in; its own error page or sign-in logs say why."
	case strings.HasPrefix(message, InvalidResponsePrefix):
		return "The response is not a valid SAML response from the identity provider in RudderStack's configuration. Capture a HAR starting at " + start + " and check the SAMLResponse."
	}
	return ""
}
