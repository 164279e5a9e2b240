internal import GRDB

/// The ordered list of every schema migration mlgym has shipped.
///
/// Policy: append-only. A migration that has shipped is never edited, renamed or removed, because databases in
/// the field have recorded its name in `grdb_migrations` and will not run it again. Each table group (sessions;
/// later runs and steps, evaluations, memory with FTS5) keeps its migration bodies in its own `*Schema.swift`
/// file; this list only orders them. `PRAGMA user_version` mirrors the number of migrations applied, so plain
/// `sqlite3` users and scripts can see the schema version without knowing GRDB.
enum Migrations {
    /// Identifiers in order; the position (from 1) is the schema version.
    static let all: [(identifier: String, migrate: @Sendable (Database) throws -> Void)] = [
        ("v1-sessions", SessionSchema.v1),
        ("v2-evaluations", EvaluationSchema.v2),
        ("v3-runs", RunSchema.v3),
        ("v4-memory", MemorySchema.v4),
        ("v5-literature", LiteratureSchema.v5),
        ("v6-snapshots", SnapshotSchema.v6),
    ]

    /// The schema version a fully migrated database has.
    static var currentVersion: Int { all.count }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (index, migration) in all.enumerated() {
            let version = index + 1
            let migrate = migration.migrate
            // Immediate foreign-key checks: v1 only creates tables, and no migration of ours rebuilds a table
            // in place without saying so here.
            migrator.registerMigration(migration.identifier, foreignKeyChecks: .immediate) { db in
                try migrate(db)
                try db.execute(sql: "PRAGMA user_version = \(version)")
            }
        }
        return migrator
    }
}
