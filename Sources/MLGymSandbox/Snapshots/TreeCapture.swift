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
    private let hasher: Int32

    init(objectsDirectory: String, reflinks: Bool, budgetBytes: Int64? = nil) {
        self.objectsDirectory = objectsDirectory
        self.reflinks = reflinks
        self.budgetBytes = budgetBytes
        hasher = mlg_sha256_open()
    }

    func close() { if hasher >= 0 { Glibc.close(hasher) } }

    /// Captures the tree at `source` into `treeDirectory` (made here); returns its entries, the root first.
    mutating func capture(_ source: String, into treeDirectory: String, previous: [String: TreeEntry]) throws(MLGymError) -> [TreeEntry] {
        guard mkdir(treeDirectory, 0o700) == 0 else { throw SystemCall.error("cannot create \(treeDirectory)", errno: errno) }
        let sourceFD = try DirectoryWalk.openRoot(source)
        defer { Glibc.close(sourceFD) }
        let treeFD = try DirectoryWalk.openRoot(treeDirectory)
        defer { Glibc.close(treeFD) }
        var rootInfo = stat()
        fstat(sourceFD, &rootInfo)
        var entries = [TreeEntry(kind: .directory, path: "", info: rootInfo)]
        var skipped = self.skipped
        var special: [String] = []
        defer { self.skipped = skipped; self.skipped.paths += special }
        try DirectoryWalk.walk(sourceFD, skipped: &skipped) { entry throws(MLGymError) in
            switch entry.info.st_mode & S_IFMT {
            case S_IFDIR:
                let (parent, name) = try SnapshotFiles.openParent(treeFD, of: entry.path)
                defer { Glibc.close(parent) }
                guard mkdirat(parent, name, 0o700) == 0 else { throw SystemCall.error("cannot create \(entry.path) in the snapshot", errno: errno) }
                entries.append(TreeEntry(kind: .directory, path: entry.path, info: entry.info))
                return true
            case S_IFREG:
                entries.append(try captureFile(entry, treeFD: treeFD, previous: previous[entry.path]))
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = readlinkat(entry.directoryFD, entry.name, &buffer, buffer.count - 1)
                guard length >= 0 else { return false }
                let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
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

    private mutating func captureFile(_ entry: DirectoryWalk.Entry, treeFD: Int32, previous: TreeEntry?) throws(MLGymError) -> TreeEntry {
        let (parent, name) = try SnapshotFiles.openParent(treeFD, of: entry.path)
        defer { Glibc.close(parent) }
        // Empty files need no content; unchanged ones reuse the object they had.
        if entry.info.st_size == 0 { return TreeEntry(kind: .file, path: entry.path, info: entry.info) }
        if let previous, previous.isUnchanged(entry.info), !previous.object.isEmpty, link(object: previous.object, into: parent, name: name) {
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
        if reflinks {
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
        let object = try digest(of: sourceFD, path: entry.path)
        if !link(object: object, into: parent, name: name) {
            try store(object: object, from: sourceFD, size: Int64(info.st_size), path: entry.path)
            guard link(object: object, into: parent, name: name) else {
                throw SystemCall.error("cannot link \(entry.path) to its object in the snapshot store", errno: errno)
            }
        }
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

    /// Writes a new object: a copy in the kernel to a temporary name, then a rename, so a half-written object
    /// never has its digest's name.
    private mutating func store(object: String, from sourceFD: Int32, size: Int64, path: String) throws(MLGymError) {
        let directory = objectsDirectory + "/" + object.prefix(2)
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { throw SystemCall.error("cannot create \(directory)", errno: errno) }
        let temporary = directory + "/.incoming-" + SandboxEngine.newID()
        let objectFD = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o400)
        guard objectFD >= 0 else { throw SystemCall.error("cannot create \(temporary)", errno: errno) }
        let copied = mlg_file_copy(objectFD, sourceFD, UInt64(size))
        Glibc.close(objectFD)
        guard copied == 0, rename(temporary, objectPath(object)) == 0 else {
            let code = copied != 0 ? -copied : errno
            unlink(temporary)
            throw SystemCall.error("cannot store \(path) in the snapshot store", errno: code)
        }
        addedBytes += size
    }

    private func digest(of fd: Int32, path: String) throws(MLGymError) -> String {
        if hasher >= 0 {
            var digest = [UInt8](repeating: 0, count: 32)
            let result = mlg_sha256_fd(hasher, fd, &digest)
            guard result == 0 else { throw SystemCall.error("cannot hash \(path)", errno: -result) }
            return digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
        // No kernel crypto API: the portable (slower) hash.
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let got = pread(fd, &buffer, buffer.count, offset)
            guard got >= 0 else { throw SystemCall.error("cannot read \(path)", errno: errno) }
            if got == 0 { break }
            hasher.update(buffer[0..<got])
            offset += off_t(got)
        }
        return hasher.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
