import Foundation
internal import GRDB
import MLGymCore

/// Memories: written one by one by agents, or in bulk by an import; read back by scope, by vector, by term.
/// Every method is one transaction that has committed when it returns. A memory is its owner's: every query
/// names the owner uid.
public final class MemoryStore: Sendable {
    let store: Store

    init(store: Store) {
        self.store = store
    }

    /// Writes memories (one transaction for the batch) and returns them with their ids.
    public func insert(_ memories: [MemoryRecord]) async throws(MLGymError) -> [MemoryRecord] {
        let encoded: [(MemoryRecord, String)]
        do {
            encoded = try memories.map { ($0, String(decoding: try JSONEncoder().encode($0.tags), as: UTF8.self)) }
        } catch {
            throw MLGymError(.invalidArgument, "cannot encode a memory's tags: \(error)")
        }
        return try await store.write("record \(memories.count) memories") { db in
            var stored: [MemoryRecord] = []
            for (memory, tags) in encoded {
                try db.execute(
                    sql: """
                        INSERT INTO memories (owner_uid, scope, text, tags, task_id, run_id, session_id, step, created_at, embedder, embedding)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        memory.ownerUID, memory.scope, memory.text, tags, memory.provenance.taskID, memory.provenance.runID,
                        memory.provenance.sessionID, memory.provenance.step, memory.createdAt.unixMilliseconds, memory.embedder,
                        MemoryRecord.blob(memory.embedding),
                    ])
                var copy = memory
                copy.id = db.lastInsertedRowID
                copy.createdAt = Date(unixMilliseconds: memory.createdAt.unixMilliseconds)
                stored.append(copy)
            }
            return stored
        }
    }

    /// A scope's memories in the order they were written; vectors only when asked for.
    public func memories(owner: UInt32, scope: String, withEmbeddings: Bool = false) async throws(MLGymError) -> [MemoryRecord] {
        try await store.read("read the memories of scope \(scope)") { db in
            let columns = MemoryRecord.selection + (withEmbeddings ? ", embedding" : "")
            return try Row.fetchAll(
                db, sql: "SELECT \(columns) FROM memories WHERE owner_uid = ? AND scope = ? ORDER BY id", arguments: [owner, scope]
            ).map { try MemoryRecord(row: $0, withEmbedding: withEmbeddings) }
        }
    }

    /// Some memories by id (the hits of a search), in any order.
    public func memories(owner: UInt32, ids: [Int64]) async throws(MLGymError) -> [MemoryRecord] {
        guard !ids.isEmpty else { return [] }
        return try await store.read("read \(ids.count) memories") { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            var arguments: StatementArguments = [owner]
            for id in ids { arguments += [id] }
            return try Row.fetchAll(
                db, sql: "SELECT \(MemoryRecord.selection) FROM memories WHERE owner_uid = ? AND id IN (\(marks))", arguments: arguments
            ).map { try MemoryRecord(row: $0, withEmbedding: false) }
        }
    }

    /// A scope's vectors made by `embedder` (others cannot be compared with its vectors), packed: ids in order
    /// and one row per id.
    public func vectors(owner: UInt32, scope: String, embedder: String) async throws(MLGymError) -> (ids: [Int64], matrix: [Float]) {
        try await store.read("read the vectors of scope \(scope)") { db in
            var ids: [Int64] = []
            var matrix: [Float] = []
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, embedding FROM memories WHERE owner_uid = ? AND scope = ? AND embedder = ? ORDER BY id",
                arguments: [owner, scope, embedder])
            while let row = try rows.next() {
                ids.append(row["id"])
                let blob: Data = row["embedding"]
                blob.withUnsafeBytes { raw in matrix.append(contentsOf: raw.bindMemory(to: Float.self)) }
            }
            return (ids, matrix)
        }
    }

    /// The ids of a scope's memories that match any of `terms` (each a word or a phrase), best BM25 first.
    public func lexicalMatches(owner: UInt32, scope: String, terms: [String], limit: Int) async throws(MLGymError) -> [Int64] {
        let quoted = terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        guard !quoted.isEmpty else { return [] }
        let match = quoted.joined(separator: " OR ")
        return try await store.read("search the memories of scope \(scope)") { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT m.id FROM memories_fts f JOIN memories m ON m.id = f.rowid
                    WHERE memories_fts MATCH ? AND m.owner_uid = ? AND m.scope = ?
                    ORDER BY bm25(memories_fts) LIMIT ?
                    """,
                arguments: [match, owner, scope, limit])
        }
    }

    /// How many memories a scope has, and their tags (sorted, each once): what an agent's prompt shows.
    public func summary(owner: UInt32, scope: String) async throws(MLGymError) -> (count: Int, tags: [String]) {
        try await store.read("summarise scope \(scope)") { db in
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM memories WHERE owner_uid = ? AND scope = ?", arguments: [owner, scope]) ?? 0
            let tags = try String.fetchAll(
                db,
                sql: "SELECT DISTINCT j.value FROM memories m, json_each(m.tags) j WHERE m.owner_uid = ? AND m.scope = ? ORDER BY j.value",
                arguments: [owner, scope])
            return (count, tags)
        }
    }

    /// How many memories a scope holds.
    public func count(owner: UInt32, scope: String) async throws(MLGymError) -> Int {
        try await store.read("count the memories of scope \(scope)") { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM memories WHERE owner_uid = ? AND scope = ?", arguments: [owner, scope]) ?? 0
        }
    }

    /// The owner's scopes with their sizes.
    public func scopes(owner: UInt32) async throws(MLGymError) -> [(scope: String, count: Int)] {
        try await store.read("list memory scopes") { db in
            try Row.fetchAll(
                db, sql: "SELECT scope, count(*) AS n FROM memories WHERE owner_uid = ? GROUP BY scope ORDER BY scope", arguments: [owner]
            ).map { (scope: $0["scope"], count: $0["n"]) }
        }
    }

    /// Removes memories of the owner; returns how many went.
    public func delete(owner: UInt32, ids: [Int64]) async throws(MLGymError) -> Int {
        try await store.write("remove \(ids.count) memories") { db in
            var removed = 0
            for id in ids {
                try db.execute(sql: "DELETE FROM memories WHERE owner_uid = ? AND id = ?", arguments: [owner, id])
                removed += db.changesCount
            }
            return removed
        }
    }
}
