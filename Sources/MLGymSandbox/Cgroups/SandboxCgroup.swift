import Dispatch
import Glibc
import MLGymCore
import Synchronization

/// One sandbox's cgroups: a directory `<own cgroup>/mlgym/<name>` in every hierarchy it uses, limited before
/// any process joins, killed as a whole and removed on `destroy()`.
///
/// The directory names are the only state that matters, so a daemon that was SIGKILLed leaves findable
/// orphans: the next start lists them with `orphans(host:)` and removes each with `open(host:name:)` +
/// `destroy()`.
public final class SandboxCgroup: Sendable {
    /// The directory under our own cgroup that holds every sandbox cgroup.
    public static let defaultParent = "mlgym"

    public let name: String
    /// The v1 directories per controller (empty on a pure v2 host).
    let legacy: Cgroup1
    /// The unified-hierarchy directory, if the host mounts cgroup2.
    let unified: Cgroup2?
    let files: CgroupFiles
    private let watcher = Mutex<OOMWatcher?>(nil)

    init(name: String, legacy: Cgroup1, unified: Cgroup2?, files: CgroupFiles) {
        self.name = name
        self.legacy = legacy
        self.unified = unified
        self.files = files
    }

    /// Every directory of this sandbox, one per hierarchy, unified first.
    public var directories: [String] {
        var result = [unified?.directory].compactMap { $0 }
        for directory in legacy.directories.values.sorted() where !result.contains(directory) {
            result.append(directory)
        }
        return result
    }

    /// Creates `<own>/<parent>/<name>` in every hierarchy the host gives a sandbox and writes `limits` there,
    /// before any process can join. Fails if a cgroup of that name already exists (an orphan: destroy it
    /// first) or if a requested limit has no controller on this host.
    public static func create(
        host: CgroupHost, name: String, limits: CgroupLimits, parent: String = defaultParent
    ) throws(MLGymError) -> SandboxCgroup {
        try validate(name: name)
        try validate(name: parent)
        try limits.validate()
        try requireControllers(host: host, limits: limits)
        let files = CgroupFiles(simulated: host.simulated)
        let cgroup = layout(host: host, name: name, parent: parent, files: files)

        if let unified = host.unifiedHierarchy {
            try Cgroup2.prepareParents(hierarchy: unified, parent: parent, files: files)
        }
        var created: [String] = []
        do throws(MLGymError) {
            for hierarchy in host.legacyHierarchies where CgroupHost.usedControllers.contains(where: hierarchy.provides) {
                try files.makeDirectory("\(hierarchy.ownDirectory)/\(parent)")
            }
            for directory in cgroup.directories {
                guard try files.makeDirectory(directory) else {
                    throw MLGymError(.invalidState, "cgroup \(directory) already exists (an orphan of an earlier run?); destroy it with SandboxCgroup.open(host:name:) first")
                }
                created.append(directory)
            }
            try cgroup.legacy.applyLimits(limits)
            try cgroup.unified?.applyLimits(limits)
            if let rules = limits.devices, let unified = cgroup.unified, !host.simulated {
                // v2 device policy; on hybrid hosts in addition to v1's list (the kernel enforces both).
                try DeviceProgram.attach(rules, to: unified.directory)
            }
        } catch {
            for directory in created.reversed() { try? files.removeDirectory(directory) }
            throw error
        }
        return cgroup
    }

    /// Writes new memory, CPU and pids limits over the current ones (a warm sandbox taken by a session). The
    /// device policy stays as it was made.
    public func update(_ limits: CgroupLimits) throws(MLGymError) {
        var limits = limits
        limits.devices = nil
        try limits.validate()
        try legacy.applyLimits(limits)
        try unified?.applyLimits(limits)
    }

    /// Re-opens an existing sandbox cgroup (an orphan found by `orphans(host:)`), or nil if none of its
    /// directories exists.
    public static func open(host: CgroupHost, name: String, parent: String = defaultParent) -> SandboxCgroup? {
        guard (try? validate(name: name)) != nil, (try? validate(name: parent)) != nil else { return nil }
        let cgroup = layout(host: host, name: name, parent: parent, files: CgroupFiles(simulated: host.simulated))
        return cgroup.directories.contains(where: cgroup.files.exists) ? cgroup : nil
    }

    /// The names of the sandbox cgroups under our `<parent>` in any hierarchy: after a crash, the orphans.
    public static func orphans(host: CgroupHost, parent: String = defaultParent) -> [String] {
        let files = CgroupFiles(simulated: host.simulated)
        var names = Set<String>()
        for hierarchy in host.usedHierarchies {
            names.formUnion(files.childCgroups(of: "\(hierarchy.ownDirectory)/\(parent)"))
        }
        return names.sorted()
    }

    /// Moves `pid` (its whole thread group) into this sandbox in every hierarchy.
    public func attach(pid: Int32) throws(MLGymError) {
        for directory in directories {
            try files.write(String(pid), to: "cgroup.procs", in: directory)
        }
    }

    /// The counters now.
    public func stats() -> CgroupStats {
        var stats = CgroupStats()
        legacy.readStats(into: &stats)
        unified?.readStats(into: &stats)
        return stats
    }

    /// The pids in the sandbox, from every hierarchy (they agree unless a process is mid-attach).
    public func processes() -> [Int32] {
        Array(Set(directories.flatMap(files.processes(in:)))).sorted()
    }

    /// The pids in the sandbox as one hierarchy lists them: one file read, for a count shown to a user.
    public func processesInFirstHierarchy() -> [Int32] {
        directories.first.map(files.processes(in:)) ?? []
    }

    /// Calls `handler` on the event supervisor's thread each time the OOM killer kills in this sandbox, with the counters
    /// after the kill. One watcher per sandbox; it stops on `destroy()`.
    public func watchOOM(_ handler: @escaping @Sendable (CgroupStats) -> Void) throws(MLGymError) {
        let source: OOMWatcher.Source
        if let memory = legacy.directory("memory") {
            source = .v1(memoryDirectory: memory)
        } else if let unified, unified.controllers.contains("memory") {
            source = .v2(directory: unified.directory)
        } else {
            throw MLGymError(.unsupported, "cannot watch for OOM kills in sandbox cgroup \(name): this host has no memory controller for it")
        }
        let readStats: @Sendable () -> CgroupStats = { [legacy, unified] in
            var stats = CgroupStats()
            legacy.readStats(into: &stats)
            unified?.readStats(into: &stats)
            return stats
        }
        try watcher.withLock { (current: inout OOMWatcher?) throws(MLGymError) in
            guard current == nil else {
                throw MLGymError(.invalidState, "sandbox cgroup \(name) already has an OOM watcher")
            }
            current = try OOMWatcher(source: source, files: files, readStats: readStats, handler: handler)
        }
    }

    /// Kills every process in the sandbox and waits until the cgroups are empty.
    ///
    /// v2 (and hybrid hosts, through the unified directory): `cgroup.kill`, then wait. v1, or when that has
    /// not emptied the cgroup after ~20 ms: freeze, SIGKILL every pid in `cgroup.procs`, thaw, repeated until
    /// empty; freezing first stops a fork bomb from outrunning the kill loop. Gives up after 5 s with an error
    /// naming the pids that remain. Zombies do not count: the kernel drops a task from `cgroup.procs` when
    /// it exits, before its parent reaps it.
    public func killAll() throws(MLGymError) {
        if files.simulated {
            // A fake tree holds no processes: make the writes the kernel would get, signal nothing.
            if try unified?.kill() != true, legacy.freeze() { legacy.thaw() }
            return
        }
        let killedByKernel = try unified?.kill() ?? false
        let deadline = DispatchTime.now().uptimeNanoseconds + 5_000_000_000
        var round = 0
        while true {
            let remaining = processes()
            if remaining.isEmpty { return }
            if DispatchTime.now().uptimeNanoseconds > deadline {
                throw MLGymError(.timeout, "cannot empty sandbox cgroup \(name): pids \(remaining.prefix(10).map(String.init).joined(separator: " ")) remain after SIGKILL for 5 s (in uninterruptible sleep? see /proc/<pid>/stack); directories: \(directories.joined(separator: " "))")
            }
            let signalRound = killedByKernel ? round >= 20 && round % 20 == 0 : round % 20 == 0
            if signalRound {
                let frozen = legacy.freeze()
                for pid in processes() { Glibc.kill(pid, SIGKILL) }
                if frozen { legacy.thaw() }
            }
            usleep(round < 50 ? 1000 : 10_000)
            round += 1
        }
    }

    /// Stops every process of the sandbox where it is, for a consistent look at its files: the unified
    /// hierarchy's `cgroup.freeze` where the kernel has it, else the v1 freezer. Returns false when neither is
    /// there or neither settled (nothing is left frozen then).
    public func freeze() -> Bool {
        if files.simulated { return false }
        if let unified, unified.freeze() { return true }
        if legacy.freeze() { return true }
        legacy.thaw()
        return false
    }

    /// Lets the processes `freeze` stopped run on.
    public func thaw() {
        unified?.thaw()
        legacy.thaw()
    }

    /// Stops the OOM watcher, kills what is left and removes every directory. Idempotent: directories that
    /// are already gone count as removed.
    public func destroy() throws(MLGymError) {
        let current = watcher.withLock { (current: inout OOMWatcher?) -> OOMWatcher? in
            defer { current = nil }
            return current
        }
        current?.stop()
        if !processes().isEmpty {
            try killAll()
        }
        var failure: MLGymError?
        for directory in directories {
            // A just-emptied cgroup can stay busy for a moment while the last task finishes exiting (a second or
            // more for processes whose pid namespace was just torn down); a straggler is killed again.
            for attempt in 0..<500 {
                do {
                    try files.removeDirectory(directory)
                    break
                } catch {
                    if attempt == 499 { failure = error } else { usleep(10_000) }
                    if attempt % 50 == 49, !processes().isEmpty { try? killAll() }
                }
            }
        }
        if let failure { throw failure }
    }

    // MARK: - Layout and checks

    /// Where the sandbox's directories are, given the host; creates nothing.
    private static func layout(host: CgroupHost, name: String, parent: String, files: CgroupFiles) -> SandboxCgroup {
        var legacyDirectories: [String: String] = [:]
        for hierarchy in host.legacyHierarchies {
            for controller in hierarchy.controllers where CgroupHost.usedControllers.contains(controller) {
                legacyDirectories[controller] = "\(hierarchy.ownDirectory)/\(parent)/\(name)"
            }
        }
        let unified = host.unifiedHierarchy.map { hierarchy in
            Cgroup2(
                files: files, directory: "\(hierarchy.ownDirectory)/\(parent)/\(name)",
                controllers: Cgroup2.wantedControllers.filter(hierarchy.provides))
        }
        return SandboxCgroup(name: name, legacy: Cgroup1(files: files, directories: legacyDirectories), unified: unified, files: files)
    }

    /// Fails when a requested limit has no controller on this host, instead of silently not enforcing it.
    private static func requireControllers(host: CgroupHost, limits: CgroupLimits) throws(MLGymError) {
        let needed: [(String, Bool)] = [
            ("memory", limits.memoryBytes != nil), ("pids", limits.pids != nil), ("cpu", limits.cpus != nil),
        ]
        for (controller, isNeeded) in needed where isNeeded && host.hierarchy(for: controller) == nil {
            throw MLGymError(.unsupported, "cannot limit \(controller): no cgroup hierarchy of this host provides the \(controller) controller to our cgroup (on cgroup v2, enable it in the parent's cgroup.subtree_control, e.g. systemd Delegate=yes)")
        }
        if limits.devices != nil && host.hierarchy(for: "devices") == nil && host.unifiedHierarchy == nil {
            throw MLGymError(.unsupported, "cannot restrict devices: this host has neither a v1 devices hierarchy nor cgroup2")
        }
    }

    /// Cgroup names become directory names: one path component of safe characters.
    private static func validate(name: String) throws(MLGymError) {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard allowed, !name.isEmpty, name.utf8.count <= 128, !name.hasPrefix("."),
              name != Cgroup2.supervisorLeaf else {
            throw MLGymError(.invalidArgument, "cgroup name \"\(name)\" must be 1-128 characters of A-Z a-z 0-9 - _ . and not start with a dot")
        }
    }
}
