package cognito

import "github.com/ssowiz/ssowiz/internal/store"

// migrations is the user pool database's schema history. Append only: a
// released step never changes, or databases kept with --data would
// disagree.
var migrations = []store.Migration{
	{Version: 1, Name: "pending SAML requests, seen assertions and provider keys", SQL: `
CREATE TABLE pending_requests (
	relay_hash   TEXT PRIMARY KEY,
	request_id   TEXT NOT NULL,
	org_id       TEXT NOT NULL,
	client_id    TEXT NOT NULL,
	redirect_uri TEXT NOT NULL,
	state        TEXT NOT NULL,
	scope        TEXT NOT NULL,
	created_at   INTEGER NOT NULL
);
CREATE INDEX pending_requests_created ON pending_requests(created_at);
CREATE TABLE seen_assertions (
	id         TEXT PRIMARY KEY,
	expires_at INTEGER NOT NULL
);
CREATE INDEX seen_assertions_expires ON seen_assertions(expires_at);
CREATE TABLE provider_keys (
	org_id     TEXT PRIMARY KEY,
	key_der    BLOB NOT NULL,
	cert_der   BLOB NOT NULL,
	created_at INTEGER NOT NULL
);
`},
	{Version: 2, Name: "pending requests bound to the browser that started them", SQL: `
ALTER TABLE pending_requests ADD COLUMN browser_hash TEXT NOT NULL DEFAULT '';
`},
	{Version: 3, Name: "single sign-out: SAML sessions, pending LogoutRequests and the pool's signing key", SQL: `
CREATE TABLE saml_sessions (
	browser_hash   TEXT PRIMARY KEY,
	org_id         TEXT NOT NULL,
	name_id        TEXT NOT NULL,
	name_id_format TEXT NOT NULL,
	session_index  TEXT NOT NULL,
	created_at     INTEGER NOT NULL
);
CREATE TABLE pending_logouts (
	relay_hash   TEXT PRIMARY KEY,
	request_id   TEXT NOT NULL,
	org_id       TEXT NOT NULL,
	logout_uri   TEXT NOT NULL,
	browser_hash TEXT NOT NULL,
	created_at   INTEGER NOT NULL
);
CREATE INDEX pending_logouts_created ON pending_logouts(created_at);
CREATE TABLE signing_key (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	key_der    BLOB NOT NULL,
	cert_der   BLOB NOT NULL,
	created_at INTEGER NOT NULL
);
`},
}
