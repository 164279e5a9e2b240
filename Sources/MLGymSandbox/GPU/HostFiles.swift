import Glibc
import MLGymToolSupport

/// The few read-only file-system calls GPU discovery needs, over Glibc so the library does not load Foundation.
///
/// Every function answers nil or empty instead of throwing: for discovery a missing file means "this host has
/// no such thing", which is a normal answer, not a failure.
enum HostFiles {
    /// What `stat(2)` says about a path, reduced to what device passthrough needs.
    struct Status: Sendable, Equatable {
        enum Kind: Sendable, Equatable { case characterDevice, blockDevice, directory, regular, other }
        var kind: Kind
        /// The device number the node stands for (`st_rdev`); zero for files that are not device nodes.
        var deviceMajor: UInt32
        var deviceMinor: UInt32
        /// Permission bits (`st_mode & 0o7777`).
        var mode: UInt32
        var groupID: UInt32

        var kindDescription: String {
            switch kind {
            case .characterDevice: "character device \(deviceMajor):\(deviceMinor)"
            case .blockDevice: "block device \(deviceMajor):\(deviceMinor)"
            case .directory: "a directory"
            case .regular: "a regular file"
            case .other: "not a device node"
            }
        }
    }

    /// `stat(2)` of `path`, following symbolic links as a bind mount would.
    static func status(_ path: String) -> Status? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let kind: Status.Kind =
            switch info.st_mode & S_IFMT {
            case S_IFCHR: .characterDevice
            case S_IFBLK: .blockDevice
            case S_IFDIR: .directory
            case S_IFREG: .regular
            default: .other
            }
        let isDevice = kind == .characterDevice || kind == .blockDevice
        let device = UInt64(info.st_rdev)
        return Status(
            kind: kind,
            deviceMajor: isDevice ? DeviceNumber.major(device) : 0,
            deviceMinor: isDevice ? DeviceNumber.minor(device) : 0,
            mode: UInt32(info.st_mode & 0o7777),
            groupID: UInt32(info.st_gid)
        )
    }

    /// The first `limit` bytes of a file, or nil when it cannot be opened.
    static func readBytes(_ path: String, limit: Int = 4 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count < limit {
            let wanted = min(chunk.count, limit - bytes.count)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, wanted) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// A whole small text file (procfs and sysfs files report size 0, so this reads until end of file).
    static func readText(_ path: String) -> String? {
        readBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The names in a directory, without `.` and `..`, sorted; empty when it cannot be read.
    static func list(_ path: String) -> [String] {
        (FileIO.directoryEntries(path) ?? []).sorted()
    }

    /// `realpath(3)`: the file a chain of symbolic links ends at, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` is a regular file someone may execute.
    static func isExecutableFile(_ path: String) -> Bool {
        guard let status = status(path), status.kind == .regular else { return false }
        return status.mode & 0o111 != 0
    }

    /// The last component of a path.
    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
