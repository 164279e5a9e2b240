import CSandbox
import Glibc
import MLGymCore

/// The cgroup hierarchies of this host and where this process sits in each, discovered once per process.
///
/// Discovery reads `/proc/self/cgroup` (our cgroup per hierarchy) and `/proc/self/mountinfo` (where each
/// hierarchy is mounted and which controllers it carries), the way runc and libnvidia-container do, so one code
/// path serves pure v2, pure v1 and hybrid hosts (crun refuses hybrid hosts; we must not). Sandboxes always
/// nest under this process's own cgroup, never at a hierarchy's root, so they stay inside the caller's limits
/// (nsjail and podman escape them on v1 by creating their groups at the root).
public struct CgroupHost: Sendable {
    /// `unified`: only cgroup2. `legacy`: only v1 controllers. `hybrid`: v1 controllers plus a cgroup2 mount
    /// (usually `/sys/fs/cgroup/unified`, holding few or no controllers).
    public enum Mode: String, Sendable { case unified, legacy, hybrid }

    public var mode: Mode
    /// The v1 hierarchies that carry at least one controller (named ones such as `name=systemd` are left out).
    public var legacyHierarchies: [CgroupHierarchy]
    /// The cgroup2 hierarchy, if one is mounted.
    public var unifiedHierarchy: CgroupHierarchy?
    /// Whether this process can create child cgroups in every hierarchy a sandbox uses. Unprivileged users
    /// usually cannot (no delegation); the engine then falls back to rlimits and warns.
    public var canManage: Bool
    /// True when the "cgroupfs" is a plain directory tree (unit tests); see `CgroupFiles`.
    var simulated: Bool

    /// The controllers a sandbox cgroup uses; others (cpuset, blkio, hugetlb…) are left alone.
    static let usedControllers = ["memory", "pids", "cpu", "cpuacct", "devices", "freezer"]

    /// Reads both files and the unified hierarchy's `cgroup.controllers`. The paths are injectable so tests
    /// can describe a fake tree: mountinfo lines may point at a temporary directory.
    public static func discover(
        procSelfCgroup: String = "/proc/self/cgroup", mountInfo: String = "/proc/self/mountinfo"
    ) throws(MLGymError) -> CgroupHost {
        let reader = CgroupFiles(simulated: false)
        guard let cgroupText = reader.read(path: procSelfCgroup) else {
            throw MLGymError(.unsupported, "cannot read \(procSelfCgroup): is /proc mounted and the kernel built with cgroups?")
        }
        guard let mountText = reader.read(path: mountInfo) else {
            throw MLGymError(.unsupported, "cannot read \(mountInfo): is /proc mounted?")
        }
        var host = try parse(procSelfCgroup: cgroupText, mountInfo: mountText) { directory in
            reader.read("cgroup.controllers", in: directory)
        }
        let mounts = host.legacyHierarchies.map(\.mountPoint) + [host.unifiedHierarchy?.mountPoint].compactMap { $0 }
        host.simulated = mounts.contains { mountPoint in
            let magic = mlg_cg_fs_magic(mountPoint)
            return magic != Int64(MLG_CG_CGROUP_SUPER_MAGIC) && magic != Int64(MLG_CG_CGROUP2_SUPER_MAGIC)
        }
        host.canManage = host.simulated || host.usedHierarchies.allSatisfy { hierarchy in
            let parent = "\(hierarchy.ownDirectory)/\(SandboxCgroup.defaultParent)"
            let target = access(parent, F_OK) == 0 ? parent : hierarchy.ownDirectory
            return access(target, W_OK) == 0
        }
        return host
    }

    /// Builds the host description from the text of `/proc/self/cgroup` and `/proc/self/mountinfo`.
    /// `readControllers` returns a cgroup2 directory's `cgroup.controllers`.
    static func parse(
        procSelfCgroup: String, mountInfo: String, readControllers: (String) -> String?
    ) throws(MLGymError) -> CgroupHost {
        // "hierarchy-id:controller-list:path"; the v2 line is "0::/path".
        var legacyPaths: [Set<String>: String] = [:]
        var unifiedPath: String?
        for line in procSelfCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[0] == "0" && fields[1].isEmpty {
                unifiedPath = String(fields[2])
            } else {
                legacyPaths[Set(fields[1].split(separator: ",").map(String.init))] = String(fields[2])
            }
        }

        var legacy: [CgroupHierarchy] = []
        var unified: CgroupHierarchy?
        for mount in MountInfoLine.parse(mountInfo) {
            switch mount.fileSystemType {
            case "cgroup":
                let controllers = mount.superOptions.filter { knownLegacyControllers.contains($0) }
                guard !controllers.isEmpty, let path = legacyPaths[Set(controllers)],
                      !legacy.contains(where: { Set($0.controllers) == Set(controllers) }),
                      let directory = ownDirectory(mount: mount, path: path) else { continue }
                legacy.append(CgroupHierarchy(
                    version: .v1, controllers: controllers, mountPoint: mount.mountPoint, ownPath: path,
                    ownDirectory: directory))
            case "cgroup2":
                guard unified == nil, let path = unifiedPath.map(withoutSupervisorLeaf),
                      let directory = ownDirectory(mount: mount, path: path) else { continue }
                let controllers = (readControllers(directory) ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
                unified = CgroupHierarchy(
                    version: .v2, controllers: controllers, mountPoint: mount.mountPoint, ownPath: path,
                    ownDirectory: directory)
            default:
                continue
            }
        }

        let mode: Mode
        switch (legacy.isEmpty, unified == nil) {
        case (true, false): mode = .unified
        case (false, true): mode = .legacy
        case (false, false): mode = .hybrid
        case (true, true):
            throw MLGymError(.unsupported, "no cgroup hierarchy is mounted (mountinfo lists neither cgroup nor cgroup2); mount cgroup2 on /sys/fs/cgroup or run with limits off")
        }
        return CgroupHost(mode: mode, legacyHierarchies: legacy, unifiedHierarchy: unified, canManage: true, simulated: false)
    }

    /// The hierarchy that provides `controller`: a v1 mount if one carries it, else the unified hierarchy if
    /// the controller is available in our cgroup there.
    public func hierarchy(for controller: String) -> CgroupHierarchy? {
        if let v1 = legacyHierarchies.first(where: { $0.provides(controller) }) { return v1 }
        if let unifiedHierarchy, unifiedHierarchy.provides(controller) { return unifiedHierarchy }
        return nil
    }

    /// The hierarchies a sandbox gets a directory in: the v1 ones carrying a used controller, and the unified
    /// one whenever it is mounted (for `cgroup.kill`, `cgroup.events` and the BPF device program, even when it
    /// holds no controllers, as on hybrid hosts).
    public var usedHierarchies: [CgroupHierarchy] {
        legacyHierarchies.filter { hierarchy in Self.usedControllers.contains(where: hierarchy.provides) }
            + [unifiedHierarchy].compactMap { $0 }
    }

    static let knownLegacyControllers: Set<String> = [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio", "blkio",
        "perf_event", "hugetlb", "pids", "rdma", "misc",
    ]

    /// A v2 daemon that moved itself into `<own>/supervisor` (see `Cgroup2.prepareParents`) must keep nesting
    /// sandboxes beside that leaf, under the cgroup it was started in, so discovery treats the leaf's parent
    /// as our own cgroup.
    private static func withoutSupervisorLeaf(_ path: String) -> String {
        guard path.hasSuffix("/\(Cgroup2.supervisorLeaf)") else { return path }
        let parent = String(path.dropLast(Cgroup2.supervisorLeaf.count + 1))
        return parent.isEmpty ? "/" : parent
    }

    /// The mount point joined with `path` relative to the mount's root, or nil when our cgroup is outside the
    /// mounted subtree (the mount then does not show us).
    private static func ownDirectory(mount: MountInfoLine, path: String) -> String? {
        let root = mount.root == "/" ? "" : mount.root
        guard path == root || path.hasPrefix(root + "/") || root.isEmpty else { return nil }
        let relative = String(path.dropFirst(root.count))
        let trimmed = relative == "/" ? "" : relative
        return mount.mountPoint + trimmed
    }
}
