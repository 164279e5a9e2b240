import Foundation
internal import GRDB
import MLGymCore

/// The rows of sessions' snapshots. Each method is one transaction that has committed when it returns.
public final class SnapshotRecordStore: Sendable {
    let store: Store

    init(store: Store) {
        self.store = store
    }

    /// Records a snapshot whose files are in place, numbered after the session's last; refused (and nothing
    /// recorded) when its name is taken in the session or the owner's snapshots would pass `quotaBytes`.
    public func add(_ snapshot: SnapshotRecord, quotaBytes: Int64?) async throws(MLGymError) -> SnapshotRecord {
        try await store.write("record snapshot \(snapshot.id) of session \(snapshot.sessionID)") { db in
            _ = try SessionStore.requireSession(db, id: snapshot.sessionID)
            if let name = snapshot.name,
               try Bool.fetchOne(db, sql: "SELECT 1 FROM snapshots WHERE session_id = ? AND name = ?", arguments: [snapshot.sessionID, name]) == true {
                throw MLGymError(.alreadyExists, "session \(snapshot.sessionID) already has a snapshot named '\(name)'; choose another name or remove it (mlgymctl rm \(snapshot.sessionID)@\(name))")
            }
            if let quotaBytes {
                let used = try Self.usage(db, ownerUID: snapshot.ownerUID)
                if used + snapshot.bytes > quotaBytes {
                    throw MLGymError(.limitExceeded, "snapshots of uid \(snapshot.ownerUID) would use \(ByteCount.format(UInt64(used + snapshot.bytes))) of their \(ByteCount.format(UInt64(quotaBytes))); remove some (mlgymctl snapshots ID, mlgymctl rm ID@N)")
                }
            }
            let number = (try Int.fetchOne(db, sql: "SELECT max(number) FROM snapshots WHERE session_id = ?", arguments: [snapshot.sessionID]) ?? 0) + 1
            var stored = snapshot
            stored.number = number
            stored.createdAt = Date(unixMilliseconds: snapshot.createdAt.unixMilliseconds)
            try db.execute(
                sql: """
                    INSERT INTO snapshots (id, session_id, number, name, owner_uid, kind, trigger, evaluation_id, bytes,
                                           frozen, frozen_ms, shell, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    stored.id, stored.sessionID, number, stored.name, Int64(stored.ownerUID), stored.kind, stored.trigger,
                    stored.evaluationID, max(0, stored.bytes), stored.frozen ? 1 : 0, stored.frozenMilliseconds, stored.shell,
                    stored.createdAt.unixMilliseconds,
                ])
            return stored
        }
    }

    /// The session's snapshots, oldest first.
    public func snapshots(of sessionID: String) async throws(MLGymError) -> [SnapshotRecord] {
        try await store.read("list the snapshots of session \(sessionID)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM snapshots WHERE session_id = ? ORDER BY number", arguments: [sessionID]).map(Self.record)
        }
    }

    /// The session's snapshot `reference`: its number, or its name.
    public func snapshot(of sessionID: String, _ reference: String) async throws(MLGymError) -> SnapshotRecord {
        let found = try await store.read("find snapshot \(reference) of session \(sessionID)") { db -> SnapshotRecord? in
            let byName = try Row.fetchOne(db, sql: "SELECT * FROM snapshots WHERE session_id = ? AND name = ?", arguments: [sessionID, reference])
            if let byName { return Self.record(byName) }
            guard let number = Int(reference) else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM snapshots WHERE session_id = ? AND number = ?", arguments: [sessionID, number]).map(Self.record)
        }
        guard let found else {
            throw MLGymError(.notFound, "session \(sessionID) has no snapshot '\(reference)' (mlgymctl snapshots \(sessionID) lists them)")
        }
        return found
    }

    /// The snapshot taken at the session's evaluation `evaluationID`, if one was.
    public func snapshot(of sessionID: String, evaluationID: Int64) async throws(MLGymError) -> SnapshotRecord? {
        try await store.read("find the snapshot of evaluation \(evaluationID)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM snapshots WHERE session_id = ? AND evaluation_id = ?", arguments: [sessionID, evaluationID]).map(Self.record)
        }
    }

    /// Records which evaluation a snapshot taken just before it holds the artefact of.
    public func link(_ id: String, toEvaluation evaluationID: Int64) async throws(MLGymError) {
        try await store.write("link snapshot \(id) to evaluation \(evaluationID)") { db in
            try db.execute(sql: "UPDATE snapshots SET evaluation_id = ? WHERE id = ?", arguments: [evaluationID, id])
        }
    }

    public func delete(_ id: String) async throws(MLGymError) {
        try await store.write("delete snapshot \(id)") { db in
            try db.execute(sql: "DELETE FROM snapshots WHERE id = ?", arguments: [id])
        }
    }

    /// Bytes the owner's snapshots hold.
    public func usage(ownerUID: UInt32) async throws(MLGymError) -> Int64 {
        try await store.read("sum the snapshots of uid \(ownerUID)") { db in try Self.usage(db, ownerUID: ownerUID) }
    }

    /// Every snapshot's id (what the snapshot directory may hold).
    public func allIDs() async throws(MLGymError) -> Set<String> {
        try await store.read("list every snapshot") { db in Set(try String.fetchAll(db, sql: "SELECT id FROM snapshots")) }
    }

    static func usage(_ db: Database, ownerUID: UInt32) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT coalesce(sum(bytes), 0) FROM snapshots WHERE owner_uid = ?", arguments: [Int64(ownerUID)]) ?? 0
    }

    static func record(_ row: Row) -> SnapshotRecord {
        SnapshotRecord(
            id: row["id"], sessionID: row["session_id"], number: row["number"], name: row["name"],
            ownerUID: UInt32(truncatingIfNeeded: row["owner_uid"] as Int64), kind: row["kind"], trigger: row["trigger"],
            evaluationID: row["evaluation_id"], bytes: row["bytes"], frozen: (row["frozen"] as Int64) == 1,
            frozenMilliseconds: row["frozen_ms"], shell: row["shell"],
            createdAt: Date(unixMilliseconds: row["created_at"]))
    }
}
