internal import GRDB

/// The memory table group: what agents (and people) write down and find again by similarity and by term.
/// Shipped migrations are never edited (see `Migrations`).
enum MemorySchema {
    /// v4. A memory belongs to its owner's scope (`task:<id>` by default, or a name). `embedding` is the
    /// embedder's vector as little-endian float32, L2-normalised; `embedder` names the back-end that made it.
    /// `memories_fts` is an external-content FTS5 index (porter stemming over unicode61) kept in step by triggers,
    /// so BM25 finds exact terms (hyper-parameter names, numbers) that embeddings blur.
    static func v4(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE memories (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    owner_uid INTEGER NOT NULL,
                    scope TEXT NOT NULL CHECK (length(scope) > 0),
                    text TEXT NOT NULL CHECK (length(text) > 0),
                    tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
                    task_id TEXT,
                    run_id TEXT,
                    session_id TEXT,
                    step INTEGER,
                    created_at INTEGER NOT NULL,
                    embedder TEXT NOT NULL,
                    embedding BLOB NOT NULL
                ) STRICT;
                CREATE INDEX memories_by_scope ON memories(owner_uid, scope, id);
                CREATE VIRTUAL TABLE memories_fts USING fts5(
                    text, tags, content='memories', content_rowid='id', tokenize='porter unicode61');
                CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
                    INSERT INTO memories_fts(rowid, text, tags) VALUES (new.id, new.text, new.tags);
                END;
                CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
                    INSERT INTO memories_fts(memories_fts, rowid, text, tags) VALUES ('delete', old.id, old.text, old.tags);
                END;
                """
        )
    }
}
