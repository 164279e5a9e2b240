import CSandbox
import Glibc
import MLGymCore

/// Walks a directory tree through descriptors (`openat` with `O_NOFOLLOW` at every step), so a symbolic link an
/// agent left, or swapped in while the walk runs, is met as a link and never followed out of the tree.
enum DirectoryWalk {
    /// One entry: its directory's descriptor (valid during the call), its name there, its path from the root,
    /// and its `lstat`.
    struct Entry {
        let directoryFD: Int32
        let name: String
        let path: String
        let info: stat
        var isDirectory: Bool { info.st_mode & S_IFMT == S_IFDIR }
    }

    /// What a walk met and could not take (a name that is not UTF-8, a socket, a device).
    struct Skipped: Sendable { var paths: [String] = [] }

    /// Opens `path` as the walk's root; the caller closes it.
    static func openRoot(_ path: String) throws(MLGymError) -> Int32 {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SystemCall.error("cannot open \(path)", errno: errno) }
        return fd
    }

    /// How deep a walk goes: an agent can nest directories without end (`mkdir a; cd a` in a loop), and each
    /// level is a frame and a descriptor here.
    static let maximumDepth = 512

    /// Calls `visit` for every entry below the directory open as `rootFD`, a directory before what it holds,
    /// and descends into each directory `visit` returns true for. Names that are not UTF-8 are skipped (and
    /// listed in `skipped`); a tree deeper than `maximumDepth` is refused.
    static func walk(
        _ rootFD: Int32, prefix: String = "", depth: Int = 0, skipped: inout Skipped, _ visit: (Entry) throws(MLGymError) -> Bool
    ) throws(MLGymError) {
        guard depth < maximumDepth else {
            let shown = prefix.count > 60 ? prefix.prefix(60) + "…" : Substring(prefix)
            throw MLGymError(.limitExceeded, "a directory is nested more than \(maximumDepth) deep (\(shown)); snapshots do not go that deep")
        }
        let listFD = dup(rootFD)
        guard listFD >= 0, let directory = fdopendir(listFD) else {
            if listFD >= 0 { close(listFD) }
            throw SystemCall.error("cannot list \(prefix.isEmpty ? "." : prefix)", errno: errno)
        }
        var names: [String] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            guard let name = String(validating: bytes, as: UTF8.self) else {
                skipped.paths.append(prefix + String(decoding: bytes, as: UTF8.self))
                continue
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(directory)
        for name in names.sorted() {
            var info = stat()
            guard fstatat(rootFD, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            let entry = Entry(directoryFD: rootFD, name: name, path: prefix + name, info: info)
            guard try visit(entry), entry.isDirectory else { continue }
            let childFD = openat(rootFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard childFD >= 0 else { continue }
            defer { close(childFD) }
            try walk(childFD, prefix: entry.path + "/", depth: depth + 1, skipped: &skipped, visit)
        }
    }
}
