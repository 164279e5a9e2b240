internal import GRDB

/// The evaluation table group: every validate, submit, auto-submission and baseline evaluation of a session.
/// Shipped migrations are never edited (see `Migrations`).
enum EvaluationSchema {
    /// v2. `metrics` is a JSON object of numbers (empty when the evaluation failed); `rootfs_identity` says
    /// which packages it ran on; `artefact_digest` which artefact it scored.
    static func v2(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE evaluations (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                    task_id TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (length(kind) > 0),
                    status TEXT NOT NULL CHECK (length(status) > 0),
                    started_at INTEGER NOT NULL,
                    finished_at INTEGER NOT NULL,
                    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
                    metrics TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics) AND json_type(metrics) = 'object'),
                    artefact_path TEXT,
                    artefact_digest TEXT,
                    rootfs_identity TEXT,
                    message TEXT,
                    output TEXT NOT NULL DEFAULT ''
                ) STRICT;
                CREATE INDEX evaluations_by_session ON evaluations(session_id, id);
                CREATE INDEX evaluations_by_task ON evaluations(task_id, kind);
                """
        )
    }
}
