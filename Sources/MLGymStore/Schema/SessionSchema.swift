internal import GRDB

/// The session table group: sessions, their state changes, their exec history and their events.
///
/// Shipped migrations are never edited: a change to these tables is a new function here, registered after the
/// others in `Migrations`. SQL is spelled out (not built with GRDB's schema DSL) so that it reads the same as
/// `sqlite3 mlgym.sqlite3 .schema` and other tools (the crash test's Python) can write compatible rows.
enum SessionSchema {
    /// v1. Times are integer milliseconds since the Unix epoch. JSON columns are checked with `json_valid` so a
    /// corrupt spec cannot be stored and then fail only when a restarted daemon reads it. `state` has no CHECK:
    /// the Swift enum validates it, and a CHECK would force a table rebuild to add a state later.
    static func v1(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),
                    name TEXT NOT NULL,
                    owner_uid INTEGER NOT NULL CHECK (owner_uid >= 0),
                    state TEXT NOT NULL,
                    spec TEXT NOT NULL CHECK (json_valid(spec)),
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    init_pid INTEGER,
                    init_start_time INTEGER,
                    cgroup_name TEXT,
                    runtime_directory TEXT,
                    state_directory TEXT
                ) STRICT;
                CREATE INDEX sessions_by_owner_state ON sessions(owner_uid, state);
                CREATE INDEX sessions_by_state ON sessions(state);

                CREATE TABLE session_state_changes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                    from_state TEXT,
                    to_state TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    time INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX session_state_changes_by_session ON session_state_changes(session_id, id);

                CREATE TABLE exec_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                    command TEXT NOT NULL CHECK (json_valid(command) AND json_type(command) = 'array'),
                    exit_code INTEGER,
                    signal INTEGER,
                    timed_out INTEGER NOT NULL DEFAULT 0 CHECK (timed_out IN (0, 1)),
                    started_at INTEGER NOT NULL,
                    finished_at INTEGER NOT NULL,
                    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
                    output TEXT NOT NULL,
                    output_bytes_dropped INTEGER NOT NULL DEFAULT 0 CHECK (output_bytes_dropped >= 0)
                ) STRICT;
                CREATE INDEX exec_history_by_session ON exec_history(session_id, id);

                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                    time INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (length(kind) > 0),
                    details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
                ) STRICT;
                CREATE INDEX events_by_session ON events(session_id, id);
                CREATE INDEX events_by_kind ON events(kind, time);
                """
        )
    }
}
