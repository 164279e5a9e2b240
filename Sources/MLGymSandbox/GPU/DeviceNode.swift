/// A host device node a sandbox gets, and where it appears inside.
///
/// Nodes are bind-mounted, never created with mknod: a bind keeps the host's node (and its owner and mode), and
/// the sandbox never needs CAP_MKNOD. The mount must not carry `nodev`. `major`/`minor` are what discovery saw in
/// `st_rdev`; they feed the device-cgroup rule and let the engine re-check the node right before binding it.
public struct DeviceNode: Sendable, Hashable, Codable, CustomStringConvertible {
    public var hostPath: String
    public var sandboxPath: String
    public var major: UInt32
    public var minor: UInt32
    /// Owner group of the host node; a sandbox user needs it as a supplementary group when `mode` gives
    /// others no read-write access (AMD's `render`/`video` nodes are 0660).
    public var groupID: UInt32
    /// Permission bits of the host node.
    public var mode: UInt32

    public init(hostPath: String, sandboxPath: String, major: UInt32, minor: UInt32, groupID: UInt32 = 0, mode: UInt32 = 0o666) {
        self.hostPath = hostPath
        self.sandboxPath = sandboxPath
        self.major = major
        self.minor = minor
        self.groupID = groupID
        self.mode = mode
    }

    /// The device-cgroup rule that lets a sandbox open this node: read and write, never mknod.
    public var deviceRule: DeviceRule { DeviceRule(.char, major: major, minor: minor, access: "rw") }

    /// Whether users outside the owner group may read and write the node.
    public var isOpenToOthers: Bool { mode & 0o006 == 0o006 }

    public var description: String { "\(sandboxPath) (\(major):\(minor) from \(hostPath))" }
}
