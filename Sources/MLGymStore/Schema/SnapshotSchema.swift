internal import GRDB

/// Snapshots of sessions' writable state. The files are in `<state>/snapshots/<id>`; the rows say whose each
/// is, what it is called, and what it cost. Shipped migrations are never edited (see `Migrations`).
enum SnapshotSchema {
    /// v6. `number` counts a session's snapshots from 1 (`ID@3`); `name` is optional and unique in the session
    /// (`ID@best-so-far`). `trigger` is `manual`, `validate` or `fork`; a `validate` snapshot names its
    /// evaluation. `shell` is the shell state carried to forks (working directory, exported variables) as JSON.
    static func v6(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE snapshots (
                    id TEXT PRIMARY KEY,
                    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                    number INTEGER NOT NULL CHECK (number > 0),
                    name TEXT CHECK (name IS NULL OR length(name) > 0),
                    owner_uid INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('image', 'tree')),
                    trigger TEXT NOT NULL CHECK (length(trigger) > 0),
                    evaluation_id INTEGER,
                    bytes INTEGER NOT NULL CHECK (bytes >= 0),
                    frozen INTEGER NOT NULL CHECK (frozen IN (0, 1)),
                    frozen_ms REAL NOT NULL,
                    shell TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(shell)),
                    created_at INTEGER NOT NULL,
                    UNIQUE (session_id, number),
                    UNIQUE (session_id, name)
                ) STRICT;
                CREATE INDEX snapshots_by_owner ON snapshots(owner_uid);
                """
        )
    }
}
