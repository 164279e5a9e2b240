internal import GRDB

/// The agent-run table group: one row per run (a model on a task with a seed) and one per step it took.
/// Shipped migrations are never edited (see `Migrations`).
enum RunSchema {
    /// v3. A run's totals are updated in the same transaction as each step, so they always match the steps.
    /// `session_id` is the session it runs in now; `session_ids` every session it ran in (a resumed run gets a
    /// new one). `evaluations` is the run's scores, copied from those sessions' evaluations when the run ends
    /// (so removing the sessions later loses no result). A step is stored whole as JSON (thought, action, observation, timings).
    static func v3(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY,
                    campaign TEXT,
                    task_id TEXT NOT NULL,
                    model TEXT NOT NULL,
                    seed INTEGER NOT NULL,
                    owner_uid INTEGER NOT NULL,
                    owner_gid INTEGER NOT NULL,
                    max_steps INTEGER NOT NULL CHECK (max_steps >= 1),
                    session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
                    session_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(session_ids)),
                    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'finished', 'interrupted', 'failed')),
                    exit_status TEXT,
                    message TEXT,
                    config TEXT NOT NULL CHECK (json_valid(config)),
                    created_at INTEGER NOT NULL,
                    started_at INTEGER,
                    ended_at INTEGER,
                    steps INTEGER NOT NULL DEFAULT 0,
                    tokens_sent INTEGER NOT NULL DEFAULT 0,
                    tokens_received INTEGER NOT NULL DEFAULT 0,
                    api_calls INTEGER NOT NULL DEFAULT 0,
                    cost REAL NOT NULL DEFAULT 0,
                    evaluations TEXT CHECK (evaluations IS NULL OR json_valid(evaluations))
                ) STRICT;
                CREATE INDEX runs_by_campaign ON runs(campaign, created_at);
                CREATE INDEX runs_by_task ON runs(task_id, model);
                CREATE TABLE run_steps (
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL CHECK (step >= 1),
                    data TEXT NOT NULL CHECK (json_valid(data)),
                    recorded_at INTEGER NOT NULL,
                    PRIMARY KEY (run_id, step)
                ) STRICT;
                """
        )
    }
}
