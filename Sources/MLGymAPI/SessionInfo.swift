import Foundation

/// A session as the API describes it (`GET /v1/sessions/{id}`, and every answer that changes one).
public struct SessionInfo: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// The uid that started the session; only it and root may act on it.
    public var owner: UInt32
    /// `creating`, `running`, `stopped`, `failed` or `lost`.
    public var state: String
    /// Why the session is in its state (the reason of its last state change).
    public var reason: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// The spec the session was started with.
    public var spec: SessionSpec
    /// The sandbox's init process on the host, while the session is running.
    public var initPID: Int32?
    /// Whether a terminal is attached to the session's shell now, and how many.
    public var attachedClients: Int?
    /// What the sandbox uses now (running sessions only).
    public var usage: Usage?
    /// In the answer to a start: true when a sandbox built ahead (`mlgymd --warm-pool`) served it.
    public var warm: Bool?

    public struct Usage: Codable, Sendable, Equatable {
        public var memoryBytes: UInt64?
        public var memoryPeakBytes: UInt64?
        public var processes: Int?
        public var oomKills: UInt64?
        /// CPU time every process of the session has used, in seconds (the cgroup's counter).
        public var cpuSeconds: Double?
        /// How often an allocation met the memory limit, and a fork the process limit (refused).
        public var memoryLimitHits: UInt64?
        public var processLimitHits: UInt64?
        public init(
            memoryBytes: UInt64?, memoryPeakBytes: UInt64?, processes: Int?, oomKills: UInt64?, cpuSeconds: Double? = nil,
            memoryLimitHits: UInt64? = nil, processLimitHits: UInt64? = nil
        ) {
            self.memoryBytes = memoryBytes
            self.memoryPeakBytes = memoryPeakBytes
            self.processes = processes
            self.oomKills = oomKills
            self.cpuSeconds = cpuSeconds
            self.memoryLimitHits = memoryLimitHits
            self.processLimitHits = processLimitHits
        }
    }

    public init(
        id: String, name: String, owner: UInt32, state: String, reason: String?, createdAt: Date, updatedAt: Date,
        spec: SessionSpec, initPID: Int32? = nil, attachedClients: Int? = nil, usage: Usage? = nil
    ) {
        self.id = id
        self.name = name
        self.owner = owner
        self.state = state
        self.reason = reason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.spec = spec
        self.initPID = initPID
        self.attachedClients = attachedClients
        self.usage = usage
    }
}

/// `GET /v1/sessions`.
public struct SessionList: Codable, Sendable, Equatable {
    public var sessions: [SessionInfo]
    public init(sessions: [SessionInfo]) { self.sessions = sessions }
}
