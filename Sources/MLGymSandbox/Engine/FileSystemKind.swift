import CSandbox

/// What kind of file system an open descriptor lives on, from `fstatfs(2)`'s magic number (the corresponding C function is `fstatfs`).
///
/// Why: a directory a client hands in (a workspace) is bound into a sandbox as the agent's. A directory on a
/// kernel pseudo-filesystem is not data but a window on the host: `/proc/<pid>` holds `root`, a link to the
/// host's `/` with the process's rights; sysfs and cgroupfs write to the kernel. Only ordinary file systems
/// (ext4, xfs, btrfs, tmpfs, NFS, Lustre, GPFS, …) may hold a workspace; the list below names the pseudo ones
/// to refuse, so a cluster file system this code has never heard of still works.
public struct FileSystemKind: Sendable, Equatable {
    /// The `f_type` magic number.
    public let magic: Int

    /// The pseudo-filesystems, by the names and magic numbers of linux/magic.h.
    public static let pseudo: [Int: String] = [
        0x9fa0: "procfs", 0x6265_6572: "sysfs", 0x0027_e0eb: "cgroupfs", 0x6367_7270: "cgroup2fs",
        0x6462_6720: "debugfs", 0x7472_6163: "tracefs", 0x7363_6673: "securityfs", 0xcafe_4a11: "bpffs",
        0x1cd1: "devpts", 0x6165_676c: "pstorefs", 0x6265_6570: "configfs", 0xde5e_81e4: "efivarfs",
        0x6573_5543: "fusectl", 0x1980_0202: "mqueue", 0x6e73_6673: "nsfs", 0xf97c_ff8c: "selinuxfs",
        0x4249_4e4d: "binfmt_misc", 0x4345_5254: "autofs", 0x0187: "autofs", 0x6269_6e64: "bdevfs",
        0x5346_4f4f: "sockfs", 0x5049_5045: "pipefs", 0x0994_1994: "anon_inodefs", 0x7375_6264: "smackfs",
    ]

    /// The file system of `descriptor`, or nil when the kernel will not say.
    public static func of(descriptor: Int32) -> FileSystemKind? {
        let magic = mlg_filesystem_magic(descriptor)
        return magic < 0 ? nil : FileSystemKind(magic: Int(magic))
    }

    /// The pseudo-filesystem's name, or nil for an ordinary file system.
    public var pseudoName: String? { Self.pseudo[magic] }
}
