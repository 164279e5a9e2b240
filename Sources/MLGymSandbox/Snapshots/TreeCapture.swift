import CContentHash
import CSandbox
import Foundation
import Glibc
import MLGymCore

/// Copies directory trees into a snapshot. Each regular file becomes a reflink where the store's file system
/// shares blocks with the source's (no bytes copied), else a hard link to the store's object of its SHA-256
/// (identical files, in this snapshot or any other, are stored once). A file whose inode, size and times are
/// those of the previous snapshot's entry is linked to the same object without being read again.
struct TreeCapture {
    let objectsDirectory: String
    /// Still trying reflinks (off after the first file whose file system refuses one).
    var reflinks: Bool
    /// Bytes this capture added to the store: new objects, and reflinked files at their full size (their
    /// blocks are shared until the session writes them, which the store cannot see, so it counts them whole).
    private(set) var addedBytes: Int64 = 0
    private(set) var skipped = DirectoryWalk.Skipped()
    /// The most bytes of file content this capture may read or clone (what is left of the owner's quota): a
    /// sparse file an agent made with `truncate -s 1T` would otherwise be read, and stored, in full.
    let budgetBytes: Int64?
    private var examinedBytes: Int64 = 0
    /// The hash's read buffer, one for the whole capture.
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: TreeCapture.chunk, alignment: 16)
    private static let chunk = 1 << 20
    /// The tree directory the last entry went into: a directory's entries come one after another, so it is
    /// opened once for all of them, not once per file.
    private var parents = ParentCache()

    init(objectsDirectory: String, reflinks: Bool, budgetBytes: Int64? = nil) {
        self.objectsDirectory = objectsDirectory
        self.reflinks = reflinks
        self.budgetBytes = budgetBytes
    }

    mutating func close() {
        buffer.deallocate()
        parents.close()
    }

    /// Captures the tree at `source` into `treeDirectory` (made here); returns its entries, the root first.
    /// Without a tree directory only the store's objects are written (a first pass while the session runs:
    /// the entries it returns are the second pass's `previous`).
    mutating func capture(_ source: String, into treeDirectory: String?, previous: [String: TreeEntry]) throws(MLGymError) -> [TreeEntry] {
        if let treeDirectory {
            guard mkdir(treeDirectory, 0o700) == 0 else { throw SystemCall.error("cannot create \(treeDirectory)", errno: errno) }
        }
        let sourceFD = try DirectoryWalk.openRoot(source)
        defer { Glibc.close(sourceFD) }
        let treeFD = try treeDirectory.map { path throws(MLGymError) in try DirectoryWalk.openRoot(path) } ?? -1
        defer {
            parents.close()
            if treeFD >= 0 { Glibc.close(treeFD) }
        }
        var rootInfo = stat()
        fstat(sourceFD, &rootInfo)
        var entries = [TreeEntry(kind: .directory, path: "", info: rootInfo)]
        var skipped = self.skipped
        var special: [String] = []
        defer { self.skipped = skipped; self.skipped.paths += special }
        try DirectoryWalk.walk(sourceFD, skipped: &skipped) { entry throws(MLGymError) in
            switch entry.info.st_mode & S_IFMT {
            case S_IFDIR:
                if treeFD >= 0 {
                    let (parent, name) = try parents.parent(in: treeFD, of: entry.path)
                    guard mkdirat(parent, name, 0o700) == 0 else { throw SystemCall.error("cannot create \(entry.path) in the snapshot", errno: errno) }
                }
                entries.append(TreeEntry(kind: .directory, path: entry.path, info: entry.info))
                return true
            case S_IFREG:
                entries.append(try captureFile(entry, treeFD: treeFD, previous: previous[entry.path]))
            case S_IFLNK:
                guard let target = SnapshotFiles.linkTarget(entry.directoryFD, entry.name) else { return false }
                entries.append(TreeEntry(kind: .symlink, path: entry.path, info: entry.info, target: target))
            case S_IFIFO:
                entries.append(TreeEntry(kind: .fifo, path: entry.path, info: entry.info))
            default:
                // Sockets and devices: nothing an agent can make again from a file (and it cannot make devices).
                special.append(entry.path)
            }
            return false
        }
        return entries
    }

    /// One regular file. `treeFD` -1: store its content only.
    private mutating func captureFile(_ entry: DirectoryWalk.Entry, treeFD: Int32, previous: TreeEntry?) throws(MLGymError) -> TreeEntry {
        let (parent, name) = treeFD >= 0 ? try parents.parent(in: treeFD, of: entry.path) : (-1, "")
        // Empty files need no content; unchanged ones reuse the object they had.
        if entry.info.st_size == 0 { return TreeEntry(kind: .file, path: entry.path, info: entry.info) }
        if let previous, previous.isUnchanged(entry.info), !previous.object.isEmpty,
           treeFD >= 0 ? link(object: previous.object, into: parent, name: name) : access(objectPath(previous.object), F_OK) == 0 {
            return TreeEntry(kind: .file, path: entry.path, info: entry.info, object: previous.object)
        }
        examinedBytes += Int64(entry.info.st_size)
        if let budgetBytes, examinedBytes > budgetBytes {
            throw MLGymError(.limitExceeded, "the snapshot would hold more than the \(ByteCount.format(UInt64(max(0, budgetBytes)))) left of its owner's snapshot quota (at \(entry.path), \(ByteCount.format(UInt64(entry.info.st_size))))")
        }
        let sourceFD = openat(entry.directoryFD, entry.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard sourceFD >= 0 else { throw SystemCall.error("cannot read \(entry.path)", errno: errno) }
        defer { Glibc.close(sourceFD) }
        var info = stat()
        guard fstat(sourceFD, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_ino == entry.info.st_ino else {
            throw MLGymError(.invalidState, "\(entry.path) changed while the snapshot was taken")
        }
        if reflinks && treeFD >= 0 {
            let copyFD = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o400)
            guard copyFD >= 0 else { throw SystemCall.error("cannot create \(entry.path) in the snapshot", errno: errno) }
            let cloned = mlg_file_clone(copyFD, sourceFD)
            Glibc.close(copyFD)
            if cloned == 0 {
                addedBytes += Int64(info.st_size)
                return TreeEntry(kind: .file, path: entry.path, info: info)
            }
            unlinkat(parent, name, 0)
            reflinks = false
        }
        let object = try store(from: sourceFD, size: Int64(info.st_size), path: entry.path)
        if treeFD >= 0 {
            guard link(object: object, into: parent, name: name) else {
                throw SystemCall.error("cannot link \(entry.path) to its object in the snapshot store", errno: errno)
            }
        }
        // The stat from before the copy: a file written while it was copied shows a newer one at the next look.
        return TreeEntry(kind: .file, path: entry.path, info: info, object: object)
    }

    private func objectPath(_ object: String) -> String {
        objectsDirectory + "/" + object.prefix(2) + "/" + object
    }

    /// Links the object into the tree; false when it is not in the store. An object linked to its file
    /// system's maximum (EMLINK) is copied instead.
    private func link(object: String, into parent: Int32, name: String) -> Bool {
        if linkat(AT_FDCWD, objectPath(object), parent, name, 0) == 0 { return true }
        guard errno == EMLINK else { return false }
        let sourceFD = open(objectPath(object), O_RDONLY | O_CLOEXEC)
        guard sourceFD >= 0 else { return false }
        defer { Glibc.close(sourceFD) }
        let copyFD = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o400)
        guard copyFD >= 0 else { return false }
        defer { Glibc.close(copyFD) }
        var info = stat()
        fstat(sourceFD, &info)
        return mlg_file_copy(copyFD, sourceFD, UInt64(info.st_size)) == 0
    }

    /// Puts the file's content in the store and returns its object's name. The content is copied first (in the
    /// kernel) and the copy is hashed, so an object's name is always the digest of what it holds, even when the
    /// session writes the file meanwhile; the copy is renamed into place, or dropped when the store has it.
    private mutating func store(from sourceFD: Int32, size: Int64, path: String) throws(MLGymError) -> String {
        let temporary = objectsDirectory + "/.incoming-" + SandboxEngine.newID()
        let objectFD = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o400)
        guard objectFD >= 0 else { throw SystemCall.error("cannot create \(temporary)", errno: errno) }
        defer { Glibc.close(objectFD) }
        let copied = mlg_file_copy(objectFD, sourceFD, UInt64(size))
        guard copied == 0 else {
            unlink(temporary)
            throw SystemCall.error("cannot store \(path) in the snapshot store", errno: -copied)
        }
        let object: String
        do {
            object = try digest(of: objectFD, path: path)
        } catch {
            unlink(temporary)
            throw error
        }
        if access(objectPath(object), F_OK) == 0 {
            unlink(temporary)
            return object
        }
        let directory = objectsDirectory + "/" + object.prefix(2)
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            unlink(temporary)
            throw SystemCall.error("cannot create \(directory)", errno: errno)
        }
        guard rename(temporary, objectPath(object)) == 0 else {
            let code = errno
            unlink(temporary)
            throw SystemCall.error("cannot store \(path) in the snapshot store", errno: code)
        }
        var stored = stat()
        fstat(objectFD, &stored)
        addedBytes += Int64(stored.st_size)
        return object
    }

    private func digest(of fd: Int32, path: String) throws(MLGymError) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let result = mlg_sha256_fd(fd, &digest, buffer, Self.chunk)
        guard result == 0 else { throw SystemCall.error("cannot hash \(path)", errno: -result) }
        return digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
