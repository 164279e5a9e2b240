import Glibc
import MLGymCore

/// The cgroup v2 side of one sandbox: its directory in the unified hierarchy, and the file writes and reads
/// there.
///
/// On a pure v2 host this carries the memory, pids and cpu controllers. On a hybrid host it usually carries
/// none, and is still created: it gives `cgroup.kill` (atomic teardown), `cgroup.events` (populated) and a
/// place to attach the BPF device program, which the kernel enforces there in addition to v1's devices list.
struct Cgroup2: Sendable {
    /// The leaf this process moves into when its own cgroup must enable controllers for its children.
    static let supervisorLeaf = "supervisor"
    /// The controllers a sandbox uses from the unified hierarchy, when the hierarchy provides them.
    static let wantedControllers = ["memory", "pids", "cpu"]

    var files: CgroupFiles
    var directory: String
    /// The wanted controllers this hierarchy provides (enabled for the sandbox by `prepareParents`).
    var controllers: [String]

    /// Makes `<own>/<parent>` ready to hold sandboxes: enables our controllers in the `cgroup.subtree_control`
    /// of our own cgroup and of the parent.
    ///
    /// cgroup v2's no-internal-process rule: a non-root cgroup that enables controllers for its children may
    /// not hold processes itself. When our own cgroup holds processes (this daemon, started by systemd with
    /// `Delegate=yes`), we first move this process into the leaf `<own>/supervisor`, as systemd's own
    /// documentation and runc/containerization do. Discovery knows this leaf and keeps nesting sandboxes under
    /// `<own>`. Other processes in our cgroup (the shell of a container or batch job that started the daemon)
    /// move into the leaf with us; one that cannot be moved makes the write fail with EBUSY and an error that
    /// says to give the daemon a cgroup of its own.
    static func prepareParents(hierarchy: CgroupHierarchy, parent: String, files: CgroupFiles) throws(MLGymError) {
        let own = hierarchy.ownDirectory
        let wanted = wantedControllers.filter(hierarchy.provides)
        let enabledInOwn = Set((files.read("cgroup.subtree_control", in: own) ?? "").split(whereSeparator: \.isWhitespace).map(enabledName))
        let missing = wanted.filter { !enabledInOwn.contains($0) }
        if !missing.isEmpty {
            let isRoot = files.simulated ? hierarchy.ownPath == "/" : !files.exists("\(own)/cgroup.type")
            if !isRoot && !files.processes(in: own).isEmpty {
                let leaf = "\(own)/\(supervisorLeaf)"
                try files.makeDirectory(leaf)
                try files.write(String(getpid()), to: "cgroup.procs", in: leaf)
                // Started from a shell in a container or a batch job, the daemon shares its cgroup with that
                // shell and its other children. They move into the leaf too (they stay under every limit of
                // the cgroup above), as docker-in-docker entrypoints do; a pid that vanished meanwhile is
                // skipped, and the write below reports whatever could not be moved.
                for pid in files.processes(in: own) where pid != getpid() {
                    try? files.write(String(pid), to: "cgroup.procs", in: leaf)
                }
            }
            try files.write(missing.map { "+\($0)" }.joined(separator: " "), to: "cgroup.subtree_control", in: own)
        }
        let parentDirectory = "\(own)/\(parent)"
        try files.makeDirectory(parentDirectory)
        if !wanted.isEmpty {
            let enabledInParent = Set((files.read("cgroup.subtree_control", in: parentDirectory) ?? "").split(whereSeparator: \.isWhitespace).map(enabledName))
            let missingInParent = wanted.filter { !enabledInParent.contains($0) }
            if !missingInParent.isEmpty {
                try files.write(missingInParent.map { "+\($0)" }.joined(separator: " "), to: "cgroup.subtree_control", in: parentDirectory)
            }
        }
    }

    /// A `cgroup.subtree_control` token as a controller name (a simulated tree holds the "+memory" requests).
    private static func enabledName(_ token: Substring) -> String {
        String(token.drop(while: { $0 == "+" }))
    }

    /// Writes every requested limit whose controller is on v2. Called before any process joins.
    func applyLimits(_ limits: CgroupLimits) throws(MLGymError) {
        if let bytes = limits.memoryBytes, controllers.contains("memory") {
            try files.write(String(bytes), to: "memory.max", in: directory)
            // Without swap accounting (or without swap) the file is absent and there is nothing to forbid.
            if files.hasControl("memory.swap.max", in: directory) {
                try files.write("0", to: "memory.swap.max", in: directory)
            }
        }
        if let pids = limits.pids, controllers.contains("pids") {
            try files.write(String(pids), to: "pids.max", in: directory)
        }
        if let quota = limits.cpuQuotaMicroseconds, controllers.contains("cpu") {
            try files.write("\(quota) \(CgroupLimits.cpuPeriodMicroseconds)", to: "cpu.max", in: directory)
        }
    }

    /// Fills the fields whose controller is on v2, and CPU usage from `cpu.stat` (present in every non-root
    /// v2 cgroup, controller or not) when v1 did not provide it.
    func readStats(into stats: inout CgroupStats) {
        if controllers.contains("memory") {
            stats.memoryCurrentBytes = files.readInteger("memory.current", in: directory)
            stats.memoryPeakBytes = files.readInteger("memory.peak", in: directory)
            stats.memoryLimitBytes = files.readInteger("memory.max", in: directory)
            stats.oomKills = files.readKey("oom_kill", in: "memory.events", directory: directory)
            stats.memoryLimitHits = files.readKey("max", in: "memory.events", directory: directory)
        }
        if controllers.contains("pids") {
            stats.pidsCurrent = files.readInteger("pids.current", in: directory)
            stats.pidsLimit = files.readInteger("pids.max", in: directory)
            stats.pidsLimitHits = files.readKey("max", in: "pids.events", directory: directory)
        }
        if stats.cpuUsageNanos == nil, let micros = files.readKey("usage_usec", in: "cpu.stat", directory: directory) {
            stats.cpuUsageNanos = micros * 1000
        }
        if controllers.contains("cpu") {
            stats.cpuThrottledPeriods = files.readKey("nr_throttled", in: "cpu.stat", directory: directory)
            stats.cpuThrottledNanos = files.readKey("throttled_usec", in: "cpu.stat", directory: directory).map { $0 * 1000 }
        }
    }

    /// `cgroup.kill` (Linux 5.14+): SIGKILLs every process in the cgroup and its descendants atomically, so
    /// nothing can fork away from the kill. Returns false when the kernel lacks it.
    func kill() throws(MLGymError) -> Bool {
        guard files.hasControl("cgroup.kill", in: directory) else { return false }
        try files.write("1", to: "cgroup.kill", in: directory)
        return true
    }

    /// `cgroup.freeze` (Linux 5.2+): stops every process of the cgroup and waits (up to 1 s) until
    /// `cgroup.events` says `frozen 1`. Returns false when the kernel lacks it or it did not settle.
    ///
    /// The kernel announces each change of `cgroup.events` to poll(2) (POLLPRI), so the wait sleeps until it
    /// changes rather than looking again on a timer.
    func freeze() -> Bool {
        guard files.hasControl("cgroup.freeze", in: directory),
              (try? files.write("1", to: "cgroup.freeze", in: directory)) != nil else { return false }
        let events = open(directory + "/cgroup.events", O_RDONLY | O_CLOEXEC)
        defer { if events >= 0 { close(events) } }
        let deadline = ContinuousClock.now + .seconds(1)
        while true {
            if files.readKey("frozen", in: "cgroup.events", directory: directory) == 1 { return true }
            let left = deadline - ContinuousClock.now
            guard events >= 0, left > .zero else { break }
            // Read it once on this descriptor, so poll reports the next change, not the one already seen.
            var buffer = [UInt8](repeating: 0, count: 256)
            _ = pread(events, &buffer, buffer.count, 0)
            var watch = pollfd(fd: events, events: Int16(POLLPRI), revents: 0)
            if files.readKey("frozen", in: "cgroup.events", directory: directory) == 1 { return true }
            _ = poll(&watch, 1, Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
        }
        thaw()
        return false
    }

    func thaw() {
        try? files.write("0", to: "cgroup.freeze", in: directory)
    }

    /// `cgroup.events` `populated`: whether any process is in the cgroup or below; nil when unreadable.
    var isPopulated: Bool? {
        files.readKey("populated", in: "cgroup.events", directory: directory).map { $0 != 0 }
    }
}
