/// What a sandbox may consume. Every field is optional: nil means "no limit of this kind beyond the host's".
public struct ResourceLimits: Sendable, Codable, Equatable {
    /// Memory (RAM, including tmpfs pages the sandbox writes), in bytes; enforced by the memory cgroup.
    public var memoryBytes: UInt64?
    /// CPU time as a number of CPUs (0.5 = half a core), enforced by the CPU quota of the cgroup.
    public var cpus: Double?
    /// Number of processes and threads, enforced by the pids cgroup.
    public var pids: Int?
    /// Open files per process (RLIMIT_NOFILE).
    public var openFiles: Int?
    /// Wall time of the whole sandbox, in seconds; the engine stops the sandbox when it runs out.
    public var wallTimeSeconds: Double?
    /// Size of the sandbox's `/tmp` (and `/dev/shm`) tmpfs, in bytes.
    public var tmpBytes: UInt64?
    /// Size of the sandbox's disk volume (workspace and overlay upper directory), in bytes.
    public var diskBytes: UInt64?

    public init(
        memoryBytes: UInt64? = nil, cpus: Double? = nil, pids: Int? = nil, openFiles: Int? = nil,
        wallTimeSeconds: Double? = nil, tmpBytes: UInt64? = nil, diskBytes: UInt64? = nil
    ) {
        self.memoryBytes = memoryBytes
        self.cpus = cpus
        self.pids = pids
        self.openFiles = openFiles
        self.wallTimeSeconds = wallTimeSeconds
        self.tmpBytes = tmpBytes
        self.diskBytes = diskBytes
    }

    /// Checks that every limit is possible, so a bad request fails before anything is created.
    public func validate() throws(MLGymError) {
        if let memoryBytes, memoryBytes < 4 << 20 {
            throw MLGymError(.invalidArgument, "memory limit \(memoryBytes) bytes is below the 4M minimum a shell needs")
        }
        if let cpus, !(cpus > 0 && cpus <= 4096) {
            throw MLGymError(.invalidArgument, "cpu limit \(cpus) must be a positive number of CPUs")
        }
        if let pids, pids < 2 {
            throw MLGymError(.invalidArgument, "pids limit \(pids) must be at least 2 (init and a shell)")
        }
        if let openFiles, openFiles < 16 {
            throw MLGymError(.invalidArgument, "open-files limit \(openFiles) must be at least 16")
        }
        if let wallTimeSeconds, !(wallTimeSeconds > 0) {
            throw MLGymError(.invalidArgument, "wall-time limit \(wallTimeSeconds) must be positive")
        }
        if let tmpBytes, tmpBytes < 1 << 20 {
            throw MLGymError(.invalidArgument, "tmp size \(tmpBytes) bytes must be at least 1M")
        }
        if let diskBytes, diskBytes < 8 << 20 {
            throw MLGymError(.invalidArgument, "disk size \(diskBytes) bytes must be at least 8M (an ext4 volume)")
        }
    }
}
