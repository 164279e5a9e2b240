import Foundation
internal import GRDB

/// One row of `events`: something that happened to a session that is not a command (an OOM kill, a time limit,
/// init exiting). State changes have their own table, `session_state_changes`.
public struct EventRecord: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var sessionID: String
    public var time: Date
    public var kind: EventKind
    /// A JSON object with kind-specific facts (`{"oom_kill": 1}`, `{"exit_status": 137}`).
    public var details: Data
}

/// What kind of event; a string so that later kinds need no migration.
public struct EventKind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The kernel's OOM killer killed a process in the session's cgroup.
    public static let oom = EventKind(rawValue: "oom")
    /// The session ran past its wall-time limit.
    public static let wallTime = EventKind(rawValue: "wall_time")
    /// The sandbox's init process exited.
    public static let initExited = EventKind(rawValue: "init_exited")
    /// The package proxy of a session in `packages` network mode refused a connection (a host that is not an
    /// allowed index, or a malformed request).
    public static let networkRefused = EventKind(rawValue: "network_refused")
    /// A state change worth showing in an event stream (the authoritative trail is `session_state_changes`).
    public static let stateChange = EventKind(rawValue: "state_change")
}

extension EventRecord {
    static let selection = "id, session_id, time, kind, details"

    init(row: Row) throws {
        let details: String = try row.decode(forColumn: "details")
        self.init(
            id: try row.decode(forColumn: "id"),
            sessionID: try row.decode(forColumn: "session_id"),
            time: Date(unixMilliseconds: try row.decode(forColumn: "time")),
            kind: EventKind(rawValue: try row.decode(forColumn: "kind")),
            details: Data(details.utf8)
        )
    }
}
