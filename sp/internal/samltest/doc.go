// Package samltest is a small Entra-shaped SAML identity provider for the
// service provider's tests: metadata with a byte order mark, WS-Fed role
// descriptors and a signature; responses in Entra's captured wire shape
// (reference §3.8), with the assertion signed right after its Issuer; and
// an HTTP-Redirect SSO endpoint that answers with an auto-posting form.
//
// It is deliberately independent of the mock Entra (mockidp), so the SP's
// tests pin the SP's behaviour against a fixed, minimal IdP, and tests can
// tamper with the XML (XSW, changed NameID, other keys) before posting it.
package samltest
