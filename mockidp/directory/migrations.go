package directory

import "github.com/ssowiz/ssowiz/internal/store"

// migrations is the schema of the "idp" database. Times are RFC 3339 UTC
// text; booleans are 0/1. Rows that the provisioning engine must see change
// carry change_seq, and rows it must see disappear are kept as tombstones
// (users.state, groups.deleted, group_members.removed,
// assignments.removed) so "what changed after N" can report them.
var migrations = []store.Migration{
	{Version: 1, Name: "tenant, users, groups, apps, certificates, assignments, provisioning", SQL: `
CREATE TABLE sequence (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n  INTEGER NOT NULL
);
INSERT INTO sequence (id, n) VALUES (1, 0);

CREATE TABLE tenant (
	id            TEXT PRIMARY KEY CHECK (id = lower(id)),
	display_name  TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	cert_der      BLOB NOT NULL,
	key_der       BLOB NOT NULL,
	singleton     INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1)
);

CREATE TABLE domains (
	name        TEXT PRIMARY KEY CHECK (name = lower(name)),
	is_initial  INTEGER NOT NULL
);

CREATE TABLE users (
	object_id          TEXT PRIMARY KEY,
	upn                TEXT NOT NULL,
	upn_key            TEXT UNIQUE,
	mail               TEXT NOT NULL DEFAULT '',
	mail_nickname      TEXT NOT NULL,
	display_name       TEXT NOT NULL,
	given_name         TEXT NOT NULL DEFAULT '',
	surname            TEXT NOT NULL DEFAULT '',
	job_title          TEXT NOT NULL DEFAULT '',
	department         TEXT NOT NULL DEFAULT '',
	employee_id        TEXT NOT NULL DEFAULT '',
	preferred_language TEXT NOT NULL DEFAULT '',
	office             TEXT NOT NULL DEFAULT '',
	street             TEXT NOT NULL DEFAULT '',
	city               TEXT NOT NULL DEFAULT '',
	state_province     TEXT NOT NULL DEFAULT '',
	postal_code        TEXT NOT NULL DEFAULT '',
	country            TEXT NOT NULL DEFAULT '',
	telephone          TEXT NOT NULL DEFAULT '',
	mobile             TEXT NOT NULL DEFAULT '',
	fax                TEXT NOT NULL DEFAULT '',
	manager_id         TEXT NOT NULL DEFAULT '',
	directory_roles    TEXT NOT NULL DEFAULT '[]',
	account_enabled    INTEGER NOT NULL,
	password_hash      TEXT NOT NULL,
	state              TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'softDeleted', 'hardDeleted')),
	deleted_at         TEXT NOT NULL DEFAULT '',
	created_at         TEXT NOT NULL,
	change_seq         INTEGER NOT NULL
);
CREATE INDEX users_change_seq ON users (change_seq);

CREATE TABLE groups (
	object_id     TEXT PRIMARY KEY,
	display_name  TEXT NOT NULL,
	description   TEXT NOT NULL DEFAULT '',
	deleted       INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL,
	change_seq    INTEGER NOT NULL
);
CREATE INDEX groups_change_seq ON groups (change_seq);

CREATE TABLE group_members (
	group_id    TEXT NOT NULL REFERENCES groups (object_id),
	user_id     TEXT NOT NULL REFERENCES users (object_id),
	removed     INTEGER NOT NULL DEFAULT 0,
	change_seq  INTEGER NOT NULL,
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);
CREATE INDEX group_members_change_seq ON group_members (change_seq);

CREATE TABLE apps (
	app_id               TEXT PRIMARY KEY,
	sp_object_id         TEXT NOT NULL UNIQUE,
	name                 TEXT NOT NULL,
	reply_urls           TEXT NOT NULL DEFAULT '[]',
	sign_on_url          TEXT NOT NULL DEFAULT '',
	relay_state          TEXT NOT NULL DEFAULT '',
	logout_url           TEXT NOT NULL DEFAULT '',
	nameid_source        TEXT NOT NULL,
	nameid_format        TEXT NOT NULL,
	claims               TEXT NOT NULL DEFAULT '[]',
	signing_option       TEXT NOT NULL,
	signing_algorithm    TEXT NOT NULL,
	assignment_required  INTEGER NOT NULL,
	created_at           TEXT NOT NULL
);

CREATE TABLE app_identifiers (
	app_id      TEXT NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
	position    INTEGER NOT NULL,
	value       TEXT NOT NULL UNIQUE,
	is_default  INTEGER NOT NULL,
	PRIMARY KEY (app_id, position)
);

CREATE TABLE certificates (
	thumbprint  TEXT PRIMARY KEY,
	app_id      TEXT NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
	serial      TEXT NOT NULL,
	not_before  TEXT NOT NULL,
	not_after   TEXT NOT NULL,
	cert_der    BLOB NOT NULL,
	key_der     BLOB NOT NULL,
	active      INTEGER NOT NULL,
	created_at  TEXT NOT NULL
);
CREATE INDEX certificates_app ON certificates (app_id);

CREATE TABLE assignments (
	app_id          TEXT NOT NULL REFERENCES apps (app_id) ON DELETE CASCADE,
	principal_id    TEXT NOT NULL,
	principal_type  TEXT NOT NULL CHECK (principal_type IN ('user', 'group')),
	removed         INTEGER NOT NULL DEFAULT 0,
	change_seq      INTEGER NOT NULL,
	PRIMARY KEY (app_id, principal_id)
);
CREATE INDEX assignments_principal ON assignments (principal_id);
CREATE INDEX assignments_change_seq ON assignments (change_seq);

CREATE TABLE provisioning (
	app_id            TEXT PRIMARY KEY REFERENCES apps (app_id) ON DELETE CASCADE,
	tenant_url        TEXT NOT NULL DEFAULT '',
	secret_token      TEXT NOT NULL DEFAULT '',
	scope             TEXT NOT NULL,
	provision_groups  INTEGER NOT NULL,
	action_create     INTEGER NOT NULL,
	action_update     INTEGER NOT NULL,
	action_delete     INTEGER NOT NULL,
	enabled           INTEGER NOT NULL,
	interval_seconds  INTEGER NOT NULL,
	mappings          TEXT NOT NULL DEFAULT 'null',
	updated_at        TEXT NOT NULL
);

CREATE TABLE demo (
	key    TEXT PRIMARY KEY,
	value  TEXT NOT NULL
);
`},
	{Version: 2, Name: "group claim of an app", SQL: `
ALTER TABLE apps ADD COLUMN group_claim TEXT NOT NULL DEFAULT '{}';
`},
}
