import Foundation
internal import GRDB
import MLGymCore

/// One session as stored in the `sessions` table.
public struct SessionRecord: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var ownerUID: UInt32
    public var state: SessionState
    /// The spec as the daemon encoded it (JSON); stored as TEXT so `sqlite3` shows it.
    public var spec: Data
    public var createdAt: Date
    /// When the state (or the init process) last changed.
    public var updatedAt: Date
    /// Set when the session enters `running`; nil before, and kept afterwards as a record of what ran.
    public var initProcess: InitProcess?
    public var cgroupName: String?
    public var runtimeDirectory: String?
    public var stateDirectory: String?

    public init(
        id: String, name: String, ownerUID: UInt32, state: SessionState, spec: Data, createdAt: Date, updatedAt: Date,
        initProcess: InitProcess? = nil, cgroupName: String? = nil, runtimeDirectory: String? = nil,
        stateDirectory: String? = nil
    ) {
        self.id = id
        self.name = name
        self.ownerUID = ownerUID
        self.state = state
        self.spec = spec
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.initProcess = initProcess
        self.cgroupName = cgroupName
        self.runtimeDirectory = runtimeDirectory
        self.stateDirectory = stateDirectory
    }
}

extension SessionRecord {
    /// The columns every session query selects, in the order `init(row:)` reads them by name.
    static let selection = """
        id, name, owner_uid, state, spec, created_at, updated_at, init_pid, init_start_time, cgroup_name,
        runtime_directory, state_directory
        """

    init(row: Row) throws {
        let stateName: String = try row.decode(forColumn: "state")
        guard let state = SessionState(rawValue: stateName) else {
            throw MLGymError(
                .parse,
                "session \(try row.decode(String.self, forColumn: "id")) has unknown state '\(stateName)' in the database (written by a newer mlgym?)"
            )
        }
        let specText: String = try row.decode(forColumn: "spec")
        let initPID: Int64? = try row.decode(forColumn: "init_pid")
        let initStartTime: Int64? = try row.decode(forColumn: "init_start_time")
        self.init(
            id: try row.decode(forColumn: "id"),
            name: try row.decode(forColumn: "name"),
            ownerUID: UInt32(truncatingIfNeeded: try row.decode(Int64.self, forColumn: "owner_uid")),
            state: state,
            spec: Data(specText.utf8),
            createdAt: Date(unixMilliseconds: try row.decode(forColumn: "created_at")),
            updatedAt: Date(unixMilliseconds: try row.decode(forColumn: "updated_at")),
            initProcess: initPID.map {
                InitProcess(pid: Int32(truncatingIfNeeded: $0), startTime: initStartTime.map { UInt64(bitPattern: $0) })
            },
            cgroupName: try row.decode(forColumn: "cgroup_name"),
            runtimeDirectory: try row.decode(forColumn: "runtime_directory"),
            stateDirectory: try row.decode(forColumn: "state_directory")
        )
    }
}
