/// What a client asks for when it starts a session (`POST /v1/sessions`). Sizes are strings as people write them
/// (`8G`, `512M`); the daemon validates everything and answers 400 naming the bad field.
///
/// The daemon stores the spec as it was accepted, so `mlgymctl status` shows what the session was started with.
public struct SessionSpec: Codable, Sendable, Equatable {
    /// A name for people; defaults to the first 12 characters of the id. Not unique.
    public var name: String?
    /// A benchmark task to set up in the session; nil starts a bare sandbox with an empty workspace.
    public var task: String?
    /// Memory limit (`8G`); nil for the daemon's default.
    public var memory: String?
    /// CPU limit as a number of CPUs.
    public var cpus: Double?
    /// Maximum number of processes and threads.
    public var pids: Int?
    /// `none`, `all`, or a list of GPU indices or UUIDs (`0,1`).
    public var gpus: String?
    /// `none` (a private network namespace with only loopback, the default), `loopback` (the same) or `host`.
    public var network: String?
    /// A host directory bound read-write as the workspace; it must be owned by the client's uid.
    public var workspace: String?
    /// Size of the session's disk volume (`10G`), when the workspace is not a host directory.
    public var disk: String?
    /// Seconds after which the daemon stops the session.
    public var wallTime: Double?
    /// The memory scope the agent's memory_write and memory_read use (default `task:<task>`).
    public var memoryScope: String?
    /// Whether the agent may use the memory (memory_write, memory_read) through its socket. Off by default: an
    /// agent must not read earlier runs' findings unless the run is meant to.
    public var agentMemory: Bool?
    /// Whether the agent may search papers and read PDFs (literature_search, parse_pdf) through its socket.
    public var agentLiterature: Bool?
    /// `validate`: a snapshot of the session is taken at every validate (before it is evaluated, so it holds
    /// what was scored), which `fork ID@best` continues from; nil for none.
    public var snapshotOn: String?

    public init(
        name: String? = nil, task: String? = nil, memory: String? = nil, cpus: Double? = nil, pids: Int? = nil,
        gpus: String? = nil, network: String? = nil, workspace: String? = nil, disk: String? = nil,
        wallTime: Double? = nil, memoryScope: String? = nil, agentMemory: Bool? = nil, agentLiterature: Bool? = nil,
        snapshotOn: String? = nil
    ) {
        self.name = name
        self.task = task
        self.memory = memory
        self.cpus = cpus
        self.pids = pids
        self.gpus = gpus
        self.network = network
        self.workspace = workspace
        self.disk = disk
        self.wallTime = wallTime
        self.memoryScope = memoryScope
        self.agentMemory = agentMemory
        self.agentLiterature = agentLiterature
        self.snapshotOn = snapshotOn
    }
}
