internal import GRDB

/// The literature cache: every answer a literature source gave, by query, so a repeated query works offline.
/// Shipped migrations are never edited (see `Migrations`).
enum LiteratureSchema {
    /// v5. `key` is the normalised request; `answer` the papers as JSON; `source` who answered.
    static func v5(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE literature_cache (
                    key TEXT PRIMARY KEY,
                    source TEXT NOT NULL,
                    answer TEXT NOT NULL CHECK (json_valid(answer)),
                    fetched_at INTEGER NOT NULL
                ) STRICT;
                """
        )
    }
}
