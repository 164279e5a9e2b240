/// One step of building a sandbox's root, in the order the child performs them (see `MountPlan`).
///
/// Targets are paths inside the sandbox ("/usr"); the engine prefixes them with the host directory the root is
/// built on. Sources are host paths.
public struct PlannedMount: Sendable, Equatable {
    public enum Kind: Int32, Sendable {
        case mkdir = 1, file, symlink, bind, tmpfs, proc, sysfs, devpts, overlay, mask, remountReadOnly, write, chown, copy, seal
    }

    public var kind: Kind
    public var target: String
    public var source: String?
    public var data: String?
    /// MS_* flags (MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8).
    public var flags: UInt
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    /// Skip quietly when the source (for masks and remounts: the target) does not exist.
    public var optional: Bool

    public static let readOnly: UInt = 1
    public static let noSUID: UInt = 2
    public static let noDev: UInt = 4
    public static let noExec: UInt = 8

    public init(
        _ kind: Kind, _ target: String, source: String? = nil, data: String? = nil, flags: UInt = 0,
        mode: UInt32 = 0o755, uid: UInt32 = 0, gid: UInt32 = 0, optional: Bool = false
    ) {
        self.kind = kind
        self.target = target
        self.source = source
        self.data = data
        self.flags = flags
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.optional = optional
    }
}
