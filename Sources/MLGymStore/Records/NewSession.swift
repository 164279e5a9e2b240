import Foundation

/// What the daemon knows about a session before its sandbox exists: enough to create the row in `creating`.
public struct NewSession: Sendable, Equatable {
    /// Chosen by the daemon (a UUID), because the cgroup and the directories are named after it before the
    /// sandbox starts.
    public var id: String
    /// A name for people; not unique.
    public var name: String
    /// The uid that asked for the session (from SO_PEERCRED); only it and administrators may act on it.
    public var ownerUID: UInt32
    /// The session's spec as JSON; the store keeps it verbatim and does not interpret it.
    public var spec: Data
    public var cgroupName: String?
    public var runtimeDirectory: String?
    public var stateDirectory: String?

    public init(
        id: String, name: String, ownerUID: UInt32, spec: Data,
        cgroupName: String? = nil, runtimeDirectory: String? = nil, stateDirectory: String? = nil
    ) {
        self.id = id
        self.name = name
        self.ownerUID = ownerUID
        self.spec = spec
        self.cgroupName = cgroupName
        self.runtimeDirectory = runtimeDirectory
        self.stateDirectory = stateDirectory
    }
}
