import CSandbox
import Glibc
import MLGymCore

/// The directory (below a root) that the last entry of a walk went into, kept open: a directory's entries come
/// one after another, so it is opened once for all of them instead of once per entry.
struct ParentCache {
    private var path: String?
    private var fd: Int32 = -1

    /// The parent of `path` below `rootFD` (opened with no link on the way), and the last component's name.
    /// The descriptor stays the cache's: do not close it.
    mutating func parent(in rootFD: Int32, of path: String) throws(MLGymError) -> (fd: Int32, name: String) {
        var components = path.split(separator: "/").map(String.init)
        let name = components.removeLast()
        let directory = components.joined(separator: "/")
        if directory == self.path && fd >= 0 { return (fd, name) }
        close()
        fd = try SnapshotFiles.openBeneath(rootFD, directory, flags: O_RDONLY | O_DIRECTORY)
        self.path = directory
        return (fd, name)
    }

    mutating func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        path = nil
    }
}

/// File operations of snapshots, through descriptors so that nothing an agent left in a tree is followed.
enum SnapshotFiles {
    /// Opens `path` (relative) below `directoryFD` with no symbolic link on the way; "" is the directory itself.
    static func openBeneath(_ directoryFD: Int32, _ path: String, flags: Int32, mode: mode_t = 0) throws(MLGymError) -> Int32 {
        let fd = mlg_open_beneath(directoryFD, path.isEmpty ? "." : path, flags, UInt32(mode))
        guard fd >= 0 else { throw SystemCall.error("cannot open \(path.isEmpty ? "." : path) in the snapshot's tree", errno: -fd) }
        return fd
    }

    /// The target of the symbolic link `name` in `directoryFD`, or nil when it cannot be read.
    static func linkTarget(_ directoryFD: Int32, _ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlinkat(directoryFD, name, &buffer, buffer.count - 1)
        guard length >= 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Makes `destinationFD` (a new, empty file) hold what `sourceFD` holds: a reflink where the file system
    /// shares blocks (and `reflinks` is still true), else a copy in the kernel. A failed reflink turns
    /// `reflinks` off for the rest of the walk.
    static func copyContent(from sourceFD: Int32, to destinationFD: Int32, size: Int64, reflinks: inout Bool, what: String) throws(MLGymError) {
        if reflinks {
            let cloned = mlg_file_clone(destinationFD, sourceFD)
            if cloned == 0 { return }
            reflinks = false
        }
        let copied = mlg_file_copy(destinationFD, sourceFD, UInt64(max(0, size)))
        guard copied == 0 else { throw SystemCall.error("cannot copy \(what)", errno: -copied) }
    }

    /// Removes the entry `name` of `directoryFD`, and everything below it for a directory, never following a
    /// link. Directories without write permission are opened up first (a rootless daemon is no superuser).
    static func removeTree(_ directoryFD: Int32, _ name: String) throws(MLGymError) {
        var info = stat()
        guard fstatat(directoryFD, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            let childFD = openat(directoryFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard childFD >= 0 else { throw SystemCall.error("cannot open \(name) to remove it", errno: errno) }
            defer { close(childFD) }
            _ = fchmod(childFD, 0o700)
            var skipped = DirectoryWalk.Skipped()
            var names: [String] = []
            try DirectoryWalk.walk(childFD, skipped: &skipped) { entry throws(MLGymError) in
                names.append(entry.name)
                return false
            }
            for child in names { try removeTree(childFD, child) }
            guard skipped.paths.isEmpty || removeRawNames(childFD) else {
                throw MLGymError(.system, "cannot remove \(name): it holds names that are not UTF-8")
            }
            guard unlinkat(directoryFD, name, AT_REMOVEDIR) == 0 else { throw SystemCall.error("cannot remove the directory \(name)", errno: errno) }
        } else if unlinkat(directoryFD, name, 0) != 0 && errno != ENOENT {
            throw SystemCall.error("cannot remove \(name)", errno: errno)
        }
    }

    /// Removes entries whose names are not UTF-8 (files only: a directory so named is left, and reported).
    private static func removeRawNames(_ directoryFD: Int32) -> Bool {
        let listFD = dup(directoryFD)
        guard listFD >= 0, let directory = fdopendir(listFD) else { return false }
        defer { closedir(directory) }
        var clean = true
        while let entry = readdir(directory) {
            let removed = withUnsafeBytes(of: entry.pointee.d_name) { raw -> Bool in
                let bytes = Array(raw.prefix { $0 != 0 })
                if String(validating: bytes, as: UTF8.self) != nil { return true }
                return (bytes + [0]).withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { unlinkat(directoryFD, $0.baseAddress!, 0) == 0 }
                }
            }
            clean = clean && removed
        }
        return clean
    }

    /// The nanoseconds as the `timespec` `futimens` and `utimensat` take.
    static func times(modified nanoseconds: Int64) -> [timespec] {
        let time = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        return [time, time]
    }
}
