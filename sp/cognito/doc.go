// Package cognito is the mock RudderStack user pool: the hosted endpoints of
// an Amazon Cognito user pool with one SAML identity provider per
// organisation, as RudderStack runs it on auth2.rudderstack.com.
//
// It serves these endpoints. /oauth2/authorize checks the app client, finds
// the organisation's identity provider, and sends the browser to the IdP
// with an HTTP-Redirect AuthnRequest and an opaque RelayState, keeping the
// pending request server-side for five minutes, bound to the browser by a
// cookie (BrowserCookie). /saml2/idpresponse (the ACS) first checks that
// the browser posting the response is the one that started the sign-in,
// and refuses it otherwise before reading it, so a response posted from
// elsewhere cannot use up the assertion its owner is about to post. Then
// it validates the IdP's response the way Cognito does — signature against
// the metadata certificates, Audience, Recipient and Destination,
// InResponseTo, time window, Status, Issuer, replay, encryption when
// required — maps the attributes, and answers the app's redirect_uri with an
// authorization code, or with error=server_error and Cognito's
// error_description. /error shows Cognito's hosted error page. /logout
// ends the pool's session in the browser and, when the organisation's IdP
// has Cognito's sign-out flow (IDPSignout) on, first sends the browser to
// the IdP's SingleLogoutService with a LogoutRequest signed with the
// pool's signing certificate; /saml2/logout takes the IdP's
// LogoutResponse by POST and checks it before the browser goes on to the
// app's sign-out URL.
//
// The XML, signature and time checks are crewjam/saml's ServiceProvider,
// one per organisation, built from the organisation's App Federation
// Metadata (fetched over HTTP and cached for six hours, as Cognito does).
// Everything time-dependent runs on the injected clock; crewjam's package
// globals are never changed.
package cognito
