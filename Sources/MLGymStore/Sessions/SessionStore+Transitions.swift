import Foundation
internal import GRDB
import MLGymCore

extension SessionStore {
    /// Moves a session to `state`, recording why in `session_state_changes` in the same transaction.
    ///
    /// Refuses moves `SessionState.successors` does not allow (`.invalidState`, naming both states).
    /// - Parameter initProcess: the sandbox's init, recorded with the move to `running` so that a restarted
    ///   daemon never sees a running session it cannot find.
    public func transition(
        _ id: String, to state: SessionState, reason: String, initProcess: InitProcess? = nil
    ) async throws(MLGymError) -> SessionRecord {
        let now = Date.storeNow()
        return try await store.write("move session \(id) to \(state.rawValue)") { db in
            let session = try Self.requireSession(db, id: id)
            return try Self.applyTransition(db, session: session, to: state, reason: reason, initProcess: initProcess, time: now)
        }
    }

    /// The session's state changes, first to last (the first is none → creating).
    public func stateChanges(_ sessionID: String) async throws(MLGymError) -> [StateChangeRecord] {
        try await store.read("read the state changes of session \(sessionID)") { db in
            _ = try Self.requireSession(db, id: sessionID)
            return try Row.fetchAll(
                db,
                sql: "SELECT id, session_id, from_state, to_state, reason, time FROM session_state_changes WHERE session_id = ? ORDER BY id",
                arguments: [sessionID]
            ).map(StateChangeRecord.init(row:))
        }
    }

    /// For a daemon that has just started: every `creating` or `running` session whose sandbox `isAlive` says is
    /// gone becomes `lost`, with a state change giving `reason`. Returns the sessions it marked.
    ///
    /// `isAlive` runs outside any transaction (it may read /proc or signal a pid), on the sessions read first;
    /// the marking transaction then re-reads each one and leaves it alone if it changed in between.
    public func markUnhealthyAsLost(
        reason: String = "its sandbox was not alive when mlgymd restarted",
        isAlive: (SessionRecord) -> Bool
    ) async throws(MLGymError) -> [SessionRecord] {
        let candidates = try await store.read("list the active sessions") { db in
            try Row.fetchAll(
                db, sql: "SELECT \(SessionRecord.selection) FROM sessions WHERE state IN (?, ?) ORDER BY created_at, id",
                arguments: [SessionState.creating.rawValue, SessionState.running.rawValue]
            ).map(SessionRecord.init(row:))
        }
        let dead = candidates.filter { !isAlive($0) }
        guard !dead.isEmpty else { return [] }
        let now = Date.storeNow()
        return try await store.write("mark \(dead.count) sessions lost") { db in
            var marked: [SessionRecord] = []
            for checked in dead {
                guard let current = try Self.fetchSession(db, id: checked.id), current == checked else { continue }
                marked.append(
                    try Self.applyTransition(db, session: current, to: .lost, reason: reason, initProcess: nil, time: now)
                )
            }
            return marked
        }
    }
}
