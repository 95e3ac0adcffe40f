package graph

import "github.com/ssowiz/ssowiz/internal/store"

// StoreName is the name of the Graph API's database under the data
// directory ("graph.db"): the automation app registrations and their
// client secrets (salted hashes, never the secrets themselves), and the
// group properties the directory does not hold.
const StoreName = "graph"

var migrations = []store.Migration{
	{Version: 1, Name: "app registrations, client secrets, group mail nicknames", SQL: `
CREATE TABLE clients (
	app_id        TEXT PRIMARY KEY,
	object_id     TEXT NOT NULL UNIQUE,
	sp_object_id  TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL UNIQUE,
	roles         TEXT NOT NULL,
	created_at    TEXT NOT NULL
);

CREATE TABLE client_secrets (
	key_id      TEXT PRIMARY KEY,
	app_id      TEXT NOT NULL REFERENCES clients (app_id) ON DELETE CASCADE,
	hint        TEXT NOT NULL,
	hash        TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL
);
CREATE INDEX client_secrets_app ON client_secrets (app_id);

CREATE TABLE group_extras (
	group_id       TEXT PRIMARY KEY,
	mail_nickname  TEXT NOT NULL
);
`},
	{Version: 2, Name: "claims mapping policies, synchronization jobs", SQL: `
CREATE TABLE claims_policies (
	id            TEXT PRIMARY KEY,
	display_name  TEXT NOT NULL,
	definition    TEXT NOT NULL,
	created_at    TEXT NOT NULL
);

CREATE TABLE policy_assignments (
	sp_object_id  TEXT PRIMARY KEY,
	policy_id     TEXT NOT NULL REFERENCES claims_policies (id) ON DELETE CASCADE
);

CREATE TABLE sync_jobs (
	sp_object_id  TEXT PRIMARY KEY,
	job_id        TEXT NOT NULL UNIQUE,
	template_id   TEXT NOT NULL,
	created_at    TEXT NOT NULL
);
`},
	// previous is the app's Attributes & Claims before the policy was
	// assigned (JSON), what removing the policy gives back; '' for
	// assignments made before it was kept.
	{Version: 3, Name: "the claims a claims mapping policy replaced", SQL: `
ALTER TABLE policy_assignments ADD COLUMN previous TEXT NOT NULL DEFAULT '';
`},
}
