// Package sp is the mock RudderStack service provider: the app on
// app.rudderstack.com (/sso, its OAuth callback, / and /api/me), the
// Cognito user pool's hosted endpoints on auth2.rudderstack.com (package
// cognito), and the SCIM API mounted on api.rudderstack.com.
//
// A sign-in runs as RudderStack's does: /sso takes a work email, finds the
// organisation by its domain and sends the browser to the pool's
// /oauth2/authorize; the pool sends it on to the organisation's identity
// provider and validates the SAML response at /saml2/idpresponse; the app's
// callback exchanges the authorization code, creates or updates the member
// just in time (accounts.SignIn), and starts a session. Every URL is built
// from the configured base URLs; when their hosts differ, each path is
// served only on its own host.
package sp
