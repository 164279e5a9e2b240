/// One mounted cgroup hierarchy and where this process sits in it.
///
/// A v1 host has one hierarchy per mount (a mount may carry several controllers, as `cpu,cpuacct` does on
/// most distributions); a v2 host has one unified hierarchy; a hybrid host has both kinds.
public struct CgroupHierarchy: Sendable, Equatable {
    public enum Version: Int, Sendable { case v1 = 1, v2 = 2 }

    public var version: Version
    /// v1: the controllers bound to this mount (from its super options). v2: the controllers available in
    /// this process's own cgroup (its `cgroup.controllers`), which may be empty, as on hybrid hosts.
    public var controllers: [String]
    /// Where the hierarchy is mounted, e.g. `/sys/fs/cgroup/memory`.
    public var mountPoint: String
    /// This process's cgroup as `/proc/self/cgroup` shows it, e.g. `/process_api/3212…`.
    public var ownPath: String
    /// The directory of this process's cgroup: the mount point joined with `ownPath` made relative to the
    /// mount's root (a container may mount a subtree of the hierarchy).
    public var ownDirectory: String

    public init(version: Version, controllers: [String], mountPoint: String, ownPath: String, ownDirectory: String) {
        self.version = version
        self.controllers = controllers
        self.mountPoint = mountPoint
        self.ownPath = ownPath
        self.ownDirectory = ownDirectory
    }

    /// Whether this hierarchy provides `controller`.
    public func provides(_ controller: String) -> Bool {
        controllers.contains(controller)
    }
}
