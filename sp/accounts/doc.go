// Package accounts holds the mock service provider's state: organisations,
// their members and the members' personal access tokens (PATs).
//
// It is the one place that reads and writes the SP's tables. The SAML side
// (JIT sign-in) and the SCIM server both work through it, which is what
// makes a user provisioned by SCIM and the same person signing in by SAML
// one and the same account.
package accounts
