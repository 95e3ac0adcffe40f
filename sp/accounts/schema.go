package accounts

import "github.com/ssowiz/ssowiz/internal/store"

// migrations is the SP database's schema history. Append only: a released
// step never changes, or databases kept with --data would disagree.
var migrations = []store.Migration{
	{Version: 1, Name: "orgs, users and personal access tokens", SQL: `
CREATE TABLE orgs (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	scim_enabled INTEGER NOT NULL,
	sso          TEXT NOT NULL,
	created_at   TEXT NOT NULL
);
CREATE TABLE org_domains (
	domain TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE
);
CREATE INDEX org_domains_org ON org_domains(org_id);
CREATE TABLE users (
	seq             INTEGER PRIMARY KEY AUTOINCREMENT,
	id              TEXT NOT NULL UNIQUE,
	org_id          TEXT NOT NULL REFERENCES orgs(id),
	user_name       TEXT NOT NULL,
	user_name_key   TEXT NOT NULL,
	external_id     TEXT NOT NULL,
	email           TEXT NOT NULL,
	given_name      TEXT NOT NULL,
	family_name     TEXT NOT NULL,
	display_name    TEXT NOT NULL,
	role            TEXT NOT NULL,
	source          TEXT NOT NULL,
	active          INTEGER NOT NULL,
	scim            TEXT,
	version         INTEGER NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	last_sign_in_at TEXT
);
CREATE UNIQUE INDEX users_org_user_name ON users(org_id, user_name_key);
CREATE INDEX users_org_external_id ON users(org_id, external_id);
CREATE TABLE pats (
	id           TEXT PRIMARY KEY,
	org_id       TEXT NOT NULL REFERENCES orgs(id),
	owner_id     TEXT NOT NULL REFERENCES users(id),
	name         TEXT NOT NULL,
	role         TEXT NOT NULL,
	salt         BLOB NOT NULL,
	hash         BLOB NOT NULL,
	hint         TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	expires_at   TEXT,
	last_used_at TEXT,
	revoked_at   TEXT
);
CREATE INDEX pats_org ON pats(org_id);
`},
}
