import CSandbox
import Glibc
import MLGymCore

/// Makes a captured tree again in a directory of a session (a fork's fresh volume, or a session rolled back):
/// every entry with its mode, owner and modification time, files as reflinks where the file systems allow and
/// kernel copies elsewhere. What is already there is replaced entry by entry; directories stay (they may be
/// mount points inside the sandbox).
struct TreeMaterializer {
    /// Ids to give to what the snapshot's agent owned: a fork runs as an agent of its own.
    struct Owner: Sendable, Equatable {
        var fromUID: UInt32, fromGID: UInt32, toUID: UInt32, toGID: UInt32
        func uid(_ uid: UInt32) -> UInt32 { uid == fromUID ? toUID : uid }
        func gid(_ gid: UInt32) -> UInt32 { gid == fromGID ? toGID : gid }
    }

    let owner: Owner
    var reflinks = true
    private(set) var copiedBytes: Int64 = 0

    init(owner: Owner) { self.owner = owner }

    /// Writes `entries` (root first, a directory before its contents) below `destinationFD`, reading file
    /// contents from the same paths below `sourceFD`.
    mutating func materialize(_ entries: [TreeEntry], from sourceFD: Int32, into destinationFD: Int32) throws(MLGymError) {
        var directories: [TreeEntry] = []
        var parents = ParentCache()
        defer { parents.close() }
        for entry in entries {
            if entry.path.isEmpty {
                directories.append(entry)
                continue
            }
            let (parent, name) = try parents.parent(in: destinationFD, of: entry.path)
            var existing = stat()
            let exists = fstatat(parent, name, &existing, AT_SYMLINK_NOFOLLOW) == 0
            if exists && !(entry.kind == .directory && existing.st_mode & S_IFMT == S_IFDIR) {
                try SnapshotFiles.removeTree(parent, name)
            }
            switch entry.kind {
            case .directory:
                if !(exists && existing.st_mode & S_IFMT == S_IFDIR) {
                    guard mkdirat(parent, name, 0o700) == 0 else { throw SystemCall.error("cannot create \(entry.path)", errno: errno) }
                }
                directories.append(entry)
            case .file:
                try makeFile(entry, parent: parent, name: name, sourceFD: sourceFD)
            case .symlink:
                guard symlinkat(entry.target, parent, name) == 0 else { throw SystemCall.error("cannot create the link \(entry.path)", errno: errno) }
                _ = fchownat(parent, name, owner.uid(entry.uid), owner.gid(entry.gid), AT_SYMLINK_NOFOLLOW)
                _ = utimensat(parent, name, SnapshotFiles.times(modified: entry.modifiedNanoseconds), AT_SYMLINK_NOFOLLOW)
            case .fifo:
                guard mkfifoat(parent, name, mode_t(entry.mode)) == 0 else { throw SystemCall.error("cannot create the FIFO \(entry.path)", errno: errno) }
                _ = fchownat(parent, name, owner.uid(entry.uid), owner.gid(entry.gid), AT_SYMLINK_NOFOLLOW)
                _ = fchmodat(parent, name, mode_t(entry.mode), 0)
            }
        }
        // Directories last, deepest first: a read-only directory is made so only once everything is in it, and
        // its time is not moved on by what was written into it.
        for entry in directories.reversed() {
            let fd = try SnapshotFiles.openBeneath(destinationFD, entry.path, flags: O_RDONLY | O_DIRECTORY)
            defer { close(fd) }
            _ = fchown(fd, owner.uid(entry.uid), owner.gid(entry.gid))
            _ = fchmod(fd, mode_t(entry.mode))
            _ = futimens(fd, SnapshotFiles.times(modified: entry.modifiedNanoseconds))
        }
    }

    private mutating func makeFile(_ entry: TreeEntry, parent: Int32, name: String, sourceFD: Int32) throws(MLGymError) {
        let fileFD = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fileFD >= 0 else { throw SystemCall.error("cannot create \(entry.path)", errno: errno) }
        defer { close(fileFD) }
        if entry.size > 0 {
            let contentFD = try SnapshotFiles.openBeneath(sourceFD, entry.path, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
            defer { close(contentFD) }
            var info = stat()
            guard fstat(contentFD, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                throw MLGymError(.invalidState, "the snapshot's copy of \(entry.path) is not a regular file")
            }
            try SnapshotFiles.copyContent(from: contentFD, to: fileFD, size: Int64(info.st_size), reflinks: &reflinks, what: entry.path)
            copiedBytes += Int64(info.st_size)
        }
        _ = fchown(fileFD, owner.uid(entry.uid), owner.gid(entry.gid))
        _ = fchmod(fileFD, mode_t(entry.mode))
        _ = futimens(fileFD, SnapshotFiles.times(modified: entry.modifiedNanoseconds))
    }

    /// Removes everything in the directory `root` (a layer of a live session, on the host) except the directories
    /// in `keeping` (mount points inside the sandbox: removing one on the host would unmount it there) and the
    /// directories on the way to them. Directories go with `rm -rf --one-file-system`, which takes any depth an
    /// agent nested and never follows a link; `root` and the kept paths are the daemon's, not the agent's.
    static func clear(_ root: String, keeping: Set<String>, prefix: String = "") throws(MLGymError) {
        let rootFD = try DirectoryWalk.openRoot(root)
        defer { close(rootFD) }
        var skipped = DirectoryWalk.Skipped()
        var names: [(name: String, isDirectory: Bool)] = []
        try DirectoryWalk.walk(rootFD, skipped: &skipped) { entry throws(MLGymError) in
            names.append((entry.name, entry.isDirectory))
            return false
        }
        for (name, isDirectory) in names {
            let path = prefix + name
            if isDirectory && keeping.contains(path) { continue }
            if isDirectory && keeping.contains(where: { $0.hasPrefix(path + "/") }) {
                try clear(root + "/" + name, keeping: keeping, prefix: path + "/")
            } else if isDirectory {
                try HostCommand.run("/bin/rm", ["-rf", "--one-file-system", "--", root + "/" + name], doing: "empty \(path) for the restore")
            } else if unlinkat(rootFD, name, 0) != 0 && errno != ENOENT {
                throw SystemCall.error("cannot remove \(path) for the restore", errno: errno)
            }
        }
    }
}
