import Foundation
internal import GRDB
import MLGymCore

/// The SQL shared by several `SessionStore` methods, run inside their transactions.
extension SessionStore {
    static func fetchSession(_ db: Database, id: String) throws -> SessionRecord? {
        try Row.fetchOne(db, sql: "SELECT \(SessionRecord.selection) FROM sessions WHERE id = ?", arguments: [id])
            .map(SessionRecord.init(row:))
    }

    static func requireSession(_ db: Database, id: String) throws -> SessionRecord {
        guard let session = try fetchSession(db, id: id) else {
            throw MLGymError(.notFound, "session \(id) does not exist (`mlgymctl ls` lists sessions)")
        }
        return session
    }

    static func countActive(_ db: Database, ownerUID: UInt32) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT count(*) FROM sessions WHERE owner_uid = ? AND state IN (?, ?)",
            arguments: [Int64(ownerUID), SessionState.creating.rawValue, SessionState.running.rawValue]
        ) ?? 0
    }

    static func insertStateChange(
        _ db: Database, sessionID: String, from: SessionState?, to: SessionState, reason: String, time: Date
    ) throws {
        try db.execute(
            sql: "INSERT INTO session_state_changes (session_id, from_state, to_state, reason, time) VALUES (?, ?, ?, ?, ?)",
            arguments: [sessionID, from?.rawValue, to.rawValue, reason, time.unixMilliseconds]
        )
    }

    /// Moves `session` to `next` and appends the state change, or refuses an illegal move naming both states.
    static func applyTransition(
        _ db: Database, session: SessionRecord, to next: SessionState, reason: String, initProcess: InitProcess?,
        time: Date
    ) throws -> SessionRecord {
        guard session.state.canTransition(to: next) else {
            let allowed = session.state.successors.map(\.rawValue).sorted()
            let rule =
                allowed.isEmpty
                ? "\(session.state.rawValue) is final; start a new session instead"
                : "a \(session.state.rawValue) session can only become \(allowed.joined(separator: ", "))"
            throw MLGymError(
                .invalidState, "cannot move session \(session.id) from \(session.state.rawValue) to \(next.rawValue): \(rule)"
            )
        }
        var updated = session
        updated.state = next
        updated.updatedAt = time
        if let initProcess { updated.initProcess = initProcess }
        try db.execute(
            sql: "UPDATE sessions SET state = ?, updated_at = ?, init_pid = ?, init_start_time = ? WHERE id = ?",
            arguments: [
                next.rawValue, time.unixMilliseconds, updated.initProcess.map { Int64($0.pid) },
                updated.initProcess?.startTime.map { Int64(bitPattern: $0) }, session.id,
            ]
        )
        try insertStateChange(db, sessionID: session.id, from: session.state, to: next, reason: reason, time: time)
        return updated
    }
}
