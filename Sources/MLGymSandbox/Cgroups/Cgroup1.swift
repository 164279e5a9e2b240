import Glibc
import MLGymCore

/// The cgroup v1 side of one sandbox: its directory in each v1 hierarchy, and the file writes and reads there.
///
/// Each v1 controller may live on its own mount (this build machine) or share one (`cpu,cpuacct` on most
/// distributions); `directories` maps every controller to the sandbox's directory in the hierarchy carrying it,
/// so co-mounted controllers simply map to the same directory.
struct Cgroup1: Sendable {
    var files: CgroupFiles
    /// Controller name → the sandbox's directory in that controller's hierarchy.
    var directories: [String: String]

    /// v1 reports "no memory limit" as PAGE_COUNTER_MAX in bytes (about 2^63); anything this large is unlimited.
    static let unlimitedThreshold: UInt64 = 1 << 62

    func directory(_ controller: String) -> String? { directories[controller] }

    /// Writes every requested limit. Called after mkdir and before any process joins.
    func applyLimits(_ limits: CgroupLimits) throws(MLGymError) {
        if let bytes = limits.memoryBytes, let memory = directory("memory") {
            // memsw (memory+swap) must stay ≥ the memory limit, so a lower limit goes first and a higher one
            // (a warm sandbox given its session's limits) second; setting both to the same value forbids swap.
            // memsw exists only with swap accounting (swapaccount=1).
            let raising = bytes > (files.readInteger("memory.limit_in_bytes", in: memory) ?? 0)
            var order = ["memory.limit_in_bytes"]
            if files.hasControl("memory.memsw.limit_in_bytes", in: memory) {
                order.insert("memory.memsw.limit_in_bytes", at: raising ? 0 : 1)
            }
            for file in order { try files.write(String(bytes), to: file, in: memory) }
        }
        if let pids = limits.pids, let directory = directory("pids") {
            try files.write(String(pids), to: "pids.max", in: directory)
        }
        if let quota = limits.cpuQuotaMicroseconds, let cpu = directory("cpu") {
            try files.write(String(CgroupLimits.cpuPeriodMicroseconds), to: "cpu.cfs_period_us", in: cpu)
            try files.write(String(quota), to: "cpu.cfs_quota_us", in: cpu)
        }
        if let rules = limits.devices, let devices = directory("devices") {
            // A new v1 devices cgroup inherits its parent's list; "a" empties it, then each rule is added back.
            try files.write("a", to: "devices.deny", in: devices)
            for rule in rules {
                try files.write(rule.description, to: "devices.allow", in: devices)
            }
        }
    }

    /// Fills the fields whose controller is on v1.
    func readStats(into stats: inout CgroupStats) {
        if let memory = directory("memory") {
            stats.memoryCurrentBytes = files.readInteger("memory.usage_in_bytes", in: memory)
            stats.memoryPeakBytes = files.readInteger("memory.max_usage_in_bytes", in: memory)
            stats.memoryLimitBytes = files.readInteger("memory.limit_in_bytes", in: memory)
                .flatMap { $0 >= Self.unlimitedThreshold ? nil : $0 }
            // oom_kill appeared in memory.oom_control in Linux 4.13.
            stats.oomKills = files.readKey("oom_kill", in: "memory.oom_control", directory: memory)
            // With memsw set to the same value the memory+swap counter usually hits its limit first, so its
            // failcnt is the one that moves; report the larger.
            let failures = [files.readInteger("memory.failcnt", in: memory), files.readInteger("memory.memsw.failcnt", in: memory)]
            stats.memoryLimitHits = failures.compactMap { $0 }.max()
        }
        if let pids = directory("pids") {
            stats.pidsCurrent = files.readInteger("pids.current", in: pids)
            stats.pidsLimit = files.readInteger("pids.max", in: pids)
            stats.pidsLimitHits = files.readKey("max", in: "pids.events", directory: pids)
        }
        if let cpuacct = directory("cpuacct") {
            stats.cpuUsageNanos = files.readInteger("cpuacct.usage", in: cpuacct)
        }
        if let cpu = directory("cpu") {
            stats.cpuThrottledPeriods = files.readKey("nr_throttled", in: "cpu.stat", directory: cpu)
            stats.cpuThrottledNanos = files.readKey("throttled_time", in: "cpu.stat", directory: cpu)
        }
    }

    /// Freezes every task (so none can fork while we kill) and waits until the freezer says FROZEN.
    /// Returns false when there is no freezer or it did not settle; killing then proceeds unfrozen.
    func freeze() -> Bool {
        guard let freezer = directory("freezer"),
              (try? files.write("FROZEN", to: "freezer.state", in: freezer)) != nil else { return false }
        // The v1 freezer announces nothing (its state file cannot be polled), so this looks again on a timer.
        // Idle tasks freeze within a fraction of a millisecond: look often at first (a snapshot's agent waits on
        // this), then every 5 ms, for about a second in all.
        for attempt in 0..<250 {
            if files.read("freezer.state", in: freezer)?.hasPrefix("FROZEN") ?? true { return true }
            usleep(attempt < 50 ? 100 : 5000)
        }
        return false
    }

    /// Thaws the freezer so SIGKILLed tasks can run to their exit.
    func thaw() {
        guard let freezer = directory("freezer") else { return }
        try? files.write("THAWED", to: "freezer.state", in: freezer)
    }
}
