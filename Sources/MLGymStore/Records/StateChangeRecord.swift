import Foundation
internal import GRDB
import MLGymCore

/// One row of `session_state_changes`: the audit trail of a session, written in the same transaction as the
/// state it records, so the trail and `sessions.state` never disagree.
public struct StateChangeRecord: Sendable, Equatable, Identifiable {
    /// Increases with every change in the database, so it orders changes even within one millisecond.
    public var id: Int64
    public var sessionID: String
    /// nil for the change that created the session.
    public var from: SessionState?
    public var to: SessionState
    /// Why, in words a person reading `mlgymctl` output understands ("stopped by uid 1000", "init exited: 137").
    public var reason: String
    public var time: Date

    public init(id: Int64, sessionID: String, from: SessionState?, to: SessionState, reason: String, time: Date) {
        self.id = id
        self.sessionID = sessionID
        self.from = from
        self.to = to
        self.reason = reason
        self.time = time
    }
}

extension StateChangeRecord {
    init(row: Row) throws {
        func state(_ column: String) throws -> SessionState? {
            guard let name: String = try row.decode(forColumn: column) else { return nil }
            guard let state = SessionState(rawValue: name) else {
                throw MLGymError(.parse, "state change has unknown state '\(name)' in the database (written by a newer mlgym?)")
            }
            return state
        }
        guard let to = try state("to_state") else {
            throw MLGymError(.parse, "state change without a target state in the database")
        }
        self.init(
            id: try row.decode(forColumn: "id"),
            sessionID: try row.decode(forColumn: "session_id"),
            from: try state("from_state"),
            to: to,
            reason: try row.decode(forColumn: "reason"),
            time: Date(unixMilliseconds: try row.decode(forColumn: "time"))
        )
    }
}
