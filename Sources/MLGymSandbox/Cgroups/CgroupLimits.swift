import MLGymCore

/// What a sandbox cgroup enforces. nil fields are not limited (beyond the caller's own cgroup).
public struct CgroupLimits: Sendable, Equatable {
    /// RAM in bytes, including tmpfs pages the sandbox writes; swap is forbidden (v1 `memsw` = the same value,
    /// v2 `memory.swap.max` = 0) so the limit cannot be dodged by swapping.
    public var memoryBytes: UInt64?
    /// CPU time as a number of CPUs, as a CFS quota over a 100 ms period.
    public var cpus: Double?
    /// Processes plus threads.
    public var pids: Int?
    /// nil: no device policy. Otherwise deny every device node except these (v1 `devices.deny a` then one
    /// `devices.allow` per rule; v2 a BPF device program).
    public var devices: [DeviceRule]?

    public init(memoryBytes: UInt64? = nil, cpus: Double? = nil, pids: Int? = nil, devices: [DeviceRule]? = nil) {
        self.memoryBytes = memoryBytes
        self.cpus = cpus
        self.pids = pids
        self.devices = devices
    }

    /// The CFS period every quota is expressed over, in microseconds (the kernel's default).
    public static let cpuPeriodMicroseconds: UInt64 = 100_000

    /// The CFS quota for `cpus`, in microseconds per period; the kernel refuses quotas under 1 ms.
    public var cpuQuotaMicroseconds: UInt64? {
        cpus.map { max(1000, UInt64(($0 * Double(Self.cpuPeriodMicroseconds)).rounded())) }
    }

    /// Refuses impossible values before anything is created.
    public func validate() throws(MLGymError) {
        if let memoryBytes, memoryBytes < 1 << 20 {
            throw MLGymError(.invalidArgument, "memory limit \(memoryBytes) bytes is below 1M; no process starts in that")
        }
        if let cpus, !(cpus >= 0.01 && cpus <= 4096) {
            throw MLGymError(.invalidArgument, "cpu limit \(cpus) must be between 0.01 and 4096 CPUs")
        }
        if let pids, pids < 1 {
            throw MLGymError(.invalidArgument, "pids limit \(pids) must be at least 1")
        }
        for rule in devices ?? [] where !rule.access.allSatisfy({ "rwm".contains($0) }) || rule.access.isEmpty {
            throw MLGymError(.invalidArgument, "device rule \"\(rule)\" has access \"\(rule.access)\"; use letters from rwm")
        }
    }
}
