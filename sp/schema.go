package sp

import "github.com/ssowiz/ssowiz/internal/store"

// migrations is the app database's schema history. Append only: a released
// step never changes, or databases kept with --data would disagree.
var migrations = []store.Migration{
	{Version: 1, Name: "app sessions", SQL: `
CREATE TABLE sessions (
	token_hash       TEXT PRIMARY KEY,
	org_id           TEXT NOT NULL,
	user_id          TEXT NOT NULL,
	cognito_username TEXT NOT NULL,
	provider_name    TEXT NOT NULL,
	created_at       INTEGER NOT NULL,
	expires_at       INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);
`},
	{Version: 2, Name: "organisation name in sessions", SQL: `
ALTER TABLE sessions ADD COLUMN org_name TEXT NOT NULL DEFAULT '';
`},
}
