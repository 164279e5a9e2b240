/// A snapshot of a sandbox cgroup's counters. Fields are nil where the controller is absent on this host.
///
/// The same names cover v1 and v2: `memoryLimitHits` is v1 `memory.failcnt` or v2 `memory.events` `max`;
/// `cpuUsageNanos` is v1 `cpuacct.usage` or v2 `cpu.stat` `usage_usec` × 1000.
public struct CgroupStats: Sendable, Codable, Equatable {
    /// Memory charged now (v1 `memory.usage_in_bytes`, v2 `memory.current`).
    public var memoryCurrentBytes: UInt64?
    /// High-water mark (v1 `memory.max_usage_in_bytes`, v2 `memory.peak` on kernels ≥ 5.19).
    public var memoryPeakBytes: UInt64?
    /// The limit in force; nil when unlimited.
    public var memoryLimitBytes: UInt64?
    /// Processes the OOM killer killed in this cgroup (v1 `memory.oom_control` `oom_kill`, v2 `memory.events`
    /// `oom_kill`).
    public var oomKills: UInt64?
    /// How often an allocation hit the limit (reclaim was needed), whether or not anything was killed.
    public var memoryLimitHits: UInt64?
    /// Processes and threads now in the cgroup.
    public var pidsCurrent: UInt64?
    /// `pids.max`; nil when unlimited.
    public var pidsLimit: UInt64?
    /// fork/clone calls refused by `pids.max` (`pids.events` `max`).
    public var pidsLimitHits: UInt64?
    /// CPU time used by every process that ever ran in the cgroup, in nanoseconds.
    public var cpuUsageNanos: UInt64?
    /// CFS periods in which the cgroup was throttled by its quota.
    public var cpuThrottledPeriods: UInt64?
    /// Time spent throttled, in nanoseconds.
    public var cpuThrottledNanos: UInt64?

    public init(
        memoryCurrentBytes: UInt64? = nil, memoryPeakBytes: UInt64? = nil, memoryLimitBytes: UInt64? = nil,
        oomKills: UInt64? = nil, memoryLimitHits: UInt64? = nil, pidsCurrent: UInt64? = nil,
        pidsLimit: UInt64? = nil, pidsLimitHits: UInt64? = nil, cpuUsageNanos: UInt64? = nil,
        cpuThrottledPeriods: UInt64? = nil, cpuThrottledNanos: UInt64? = nil
    ) {
        self.memoryCurrentBytes = memoryCurrentBytes
        self.memoryPeakBytes = memoryPeakBytes
        self.memoryLimitBytes = memoryLimitBytes
        self.oomKills = oomKills
        self.memoryLimitHits = memoryLimitHits
        self.pidsCurrent = pidsCurrent
        self.pidsLimit = pidsLimit
        self.pidsLimitHits = pidsLimitHits
        self.cpuUsageNanos = cpuUsageNanos
        self.cpuThrottledPeriods = cpuThrottledPeriods
        self.cpuThrottledNanos = cpuThrottledNanos
    }
}
