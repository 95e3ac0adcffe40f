package provisioning

import "github.com/ssowiz/ssowiz/internal/store"

// migrations is the schema of the "provisioning" database. Times are RFC
// 3339 UTC text.
//
//   - jobs: one row per app the engine has run: the watermark (NULL until
//     an initial cycle completes), the configuration fingerprint, the
//     quarantine state and the last cycle's report.
//   - objects: what the engine manages in the target: the cached target id
//     of each user and group, its state, and what the engine last saw
//     there (manager, members).
//   - escrow: objects whose last attempt failed, with the retry schedule.
//   - logs: the provisioning log.
var migrations = []store.Migration{
	{Version: 1, Name: "jobs, objects, escrow, logs", SQL: `
CREATE TABLE jobs (
	app_id             TEXT PRIMARY KEY,
	watermark          INTEGER,
	fingerprint        TEXT NOT NULL DEFAULT '',
	quarantine_reason  TEXT NOT NULL DEFAULT '',
	quarantine_detail  TEXT NOT NULL DEFAULT '',
	quarantined_at     TEXT NOT NULL DEFAULT '',
	quarantine_cycles  INTEGER NOT NULL DEFAULT 0,
	last_cycle         TEXT NOT NULL DEFAULT 'null'
);

CREATE TABLE objects (
	app_id          TEXT NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('user', 'group')),
	source_id       TEXT NOT NULL,
	source_name     TEXT NOT NULL,
	target_id       TEXT NOT NULL,
	state           TEXT NOT NULL CHECK (state IN ('active', 'disabled', 'outOfScope', 'deleted')),
	synced_seq      INTEGER NOT NULL DEFAULT 0,
	target_manager  TEXT NOT NULL DEFAULT '',
	members         TEXT NOT NULL DEFAULT '[]',
	updated_at      TEXT NOT NULL,
	PRIMARY KEY (app_id, kind, source_id)
);

CREATE TABLE escrow (
	app_id           TEXT NOT NULL,
	kind             TEXT NOT NULL,
	source_id        TEXT NOT NULL,
	source_name      TEXT NOT NULL,
	attempts         INTEGER NOT NULL,
	first_failed_at  TEXT NOT NULL,
	next_retry_at    TEXT NOT NULL,
	code             TEXT NOT NULL,
	reason           TEXT NOT NULL,
	reference        INTEGER NOT NULL,
	PRIMARY KEY (app_id, kind, source_id)
);

CREATE TABLE logs (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	app_id       TEXT NOT NULL,
	cycle_id     TEXT NOT NULL,
	at           TEXT NOT NULL,
	action       TEXT NOT NULL,
	status       TEXT NOT NULL,
	kind         TEXT NOT NULL,
	source_id    TEXT NOT NULL,
	source_name  TEXT NOT NULL,
	target_id    TEXT NOT NULL,
	code         TEXT NOT NULL,
	reason       TEXT NOT NULL,
	requests     TEXT NOT NULL
);
CREATE INDEX logs_app ON logs (app_id, id);
CREATE INDEX logs_source ON logs (app_id, source_id, id);
`},
}
