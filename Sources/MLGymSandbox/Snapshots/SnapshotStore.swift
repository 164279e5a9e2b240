import CSandbox
import Foundation
import Glibc
import MLGymCore

/// Where snapshots of sessions live, and the file work of taking, using and removing them. Rows about them (who
/// owns which, names, sizes) are the daemon's store's; this type knows only files.
///
/// Layout of `directory` (root only, 0700):
/// - `<id>/volume.img`: an *image* snapshot, a reflink of the session's whole volume (file systems with
///   reflinks: xfs, btrfs);
/// - `<id>/tree/<layer>/…` and `<id>/<layer>.index`: a *tree* snapshot, each layer's files as reflinks, or as
///   hard links into `objects/` (content-addressed by SHA-256) where reflinks are not possible; the index keeps
///   each entry's mode, owner and time;
/// - `.incoming-<id>`, `.restore-<id>`: work in progress, removed by `sweep` after a crash.
public final class SnapshotStore: Sendable {
    public enum Kind: String, Sendable, Codable { case image, tree }

    /// What a capture made and how long the sandbox was frozen for it.
    public struct Captured: Sendable {
        public var kind: Kind
        /// Bytes the snapshot holds that the store did not have (a volume's used bytes for an image).
        public var bytes: Int64
        /// Whether the sandbox's processes were stopped during the capture (false where there is no freezer).
        public var frozen: Bool
        public var frozenMilliseconds: Double
        /// Entries that could not be kept (sockets, devices, names that are not UTF-8).
        public var skipped: [String]
    }

    public let directory: String
    /// Whether the store's file system makes reflinks (checked once, with two files of its own).
    public let reflinks: Bool
    var objectsDirectory: String { directory + "/objects" }

    public init(directory: String) throws(MLGymError) {
        self.directory = directory
        for path in [directory, directory + "/objects"] {
            if mkdir(path, 0o700) != 0 && errno != EEXIST { throw SystemCall.error("cannot create \(path)", errno: errno) }
        }
        reflinks = Self.probeReflinks(in: directory)
    }

    private static func probeReflinks(in directory: String) -> Bool {
        let source = directory + "/.probe-" + SandboxEngine.newID()
        defer { unlink(source); unlink(source + "-clone") }
        guard FileManager.default.createFile(atPath: source, contents: Data(repeating: 7, count: 4096)) else { return false }
        return (try? ImageSnapshot.cloneFile(source, to: source + "-clone")) == true
    }

    public func path(of id: String) -> String { directory + "/" + id }

    // MARK: Capture

    /// Captures `sandbox`'s writable layers as snapshot `id`, its processes frozen meanwhile: an image of its
    /// volume where the store can reflink it, else a tree. `previous` (an earlier tree snapshot of the same
    /// session) lets unchanged files skip the hash; a tree reads and clones at most `budgetBytes` of files.
    ///
    /// A tree is taken in two passes when the sandbox can be frozen: first with the session running, which
    /// stores every file's content (the slow part), then frozen, which only looks at each file again and reads
    /// those that changed in between. The agent is stopped for the second pass alone.
    public func capture(_ sandbox: Sandbox, id: String, previous: String?, budgetBytes: Int64? = nil) throws(MLGymError) -> Captured {
        guard sandbox.ownsWorkspace else {
            throw MLGymError(.unsupported, "session \(sandbox.id) works in a host directory it was given; only a workspace mlgymd made can be snapshotted")
        }
        let staging = directory + "/.incoming-" + id
        guard mkdir(staging, 0o700) == 0 else { throw SystemCall.error("cannot create \(staging)", errno: errno) }
        var kept = false
        defer { if !kept { try? Self.removeEntry(directory, ".incoming-" + id) } }
        var frozenFor = Duration.zero
        var frozen = false
        /// Runs `body` with the sandbox's processes stopped, adding the time to `frozenFor`.
        func whileFrozen<T>(_ body: () throws(MLGymError) -> T) throws(MLGymError) -> T {
            let clock = ContinuousClock.now
            frozen = sandbox.freezeProcesses()
            defer {
                if frozen { sandbox.thawProcesses() }
                frozenFor += ContinuousClock.now - clock
            }
            return try body()
        }

        if reflinks, let volume = sandbox.volumeImage {
            // What the session wrote so far goes to the image now, while it runs: the freeze below then has
            // only the last moment's writes to flush.
            ImageSnapshot.flush(volumeAt: volume.mountPoint)
            let cloned = try whileFrozen { () throws(MLGymError) in
                try ImageSnapshot.clone(volumeAt: volume.mountPoint, image: volume.image, to: staging + "/volume.img")
            }
            if cloned {
                return try keep(staging, as: id, Captured(
                    kind: .image, bytes: ImageSnapshot.usedBytes(volume.mountPoint), frozen: frozen,
                    frozenMilliseconds: frozenFor.milliseconds, skipped: []), kept: &kept)
            }
        }
        var known: [String: [String: TreeEntry]] = [:]
        for layer in sandbox.writableLayers {
            let before = previous.flatMap { treeIndex(of: $0, layer: layer.name) } ?? []
            known[layer.name] = Dictionary(before.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        }
        var storedEarly: Int64 = 0
        if !reflinks && sandbox.canFreeze {
            var early = TreeCapture(objectsDirectory: objectsDirectory, reflinks: false, budgetBytes: budgetBytes)
            defer { early.close() }
            for layer in sandbox.writableLayers {
                let entries = try early.capture(layer.hostPath, into: nil, previous: known[layer.name] ?? [:])
                known[layer.name] = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            }
            storedEarly = early.addedBytes
        }
        var capture = TreeCapture(objectsDirectory: objectsDirectory, reflinks: reflinks, budgetBytes: budgetBytes)
        defer { capture.close() }
        guard mkdir(staging + "/tree", 0o700) == 0 else { throw SystemCall.error("cannot create \(staging)/tree", errno: errno) }
        var indexes: [(String, [TreeEntry])] = []
        try whileFrozen { () throws(MLGymError) in
            for layer in sandbox.writableLayers {
                indexes.append((layer.name, try capture.capture(layer.hostPath, into: staging + "/tree/" + layer.name, previous: known[layer.name] ?? [:])))
            }
        }
        for (name, entries) in indexes {
            try write(TreeIndex.encode(entries), to: staging + "/" + name + ".index")
        }
        return try keep(staging, as: id, Captured(
            kind: .tree, bytes: storedEarly + capture.addedBytes, frozen: frozen, frozenMilliseconds: frozenFor.milliseconds,
            skipped: capture.skipped.paths), kept: &kept)
    }

    private func keep(_ staging: String, as id: String, _ captured: Captured, kept: inout Bool) throws(MLGymError) -> Captured {
        guard rename(staging, path(of: id)) == 0 else { throw SystemCall.error("cannot keep snapshot \(id)", errno: errno) }
        kept = true
        return captured
    }

    // MARK: Use

    /// Puts an image snapshot's volume at `imagePath` for a new sandbox to mount (a fork). False when this
    /// store cannot reflink (the caller then fills the fork's fresh volume with `materialize`).
    public func cloneImage(of id: String, to imagePath: String) throws(MLGymError) -> Bool {
        guard reflinks else { return false }
        return try ImageSnapshot.cloneFile(path(of: id) + "/volume.img", to: imagePath)
    }

    /// Makes the running `sandbox`'s writable layers what snapshot `id` holds (its processes frozen meanwhile):
    /// everything in them is replaced, files the snapshot's agent owned are given to `owner`'s. Returns the
    /// bytes written.
    @discardableResult
    public func materialize(_ id: String, kind: Kind, into sandbox: Sandbox, ownerUID: UInt32, ownerGID: UInt32) throws(MLGymError) -> Int64 {
        guard sandbox.ownsWorkspace else {
            throw MLGymError(.unsupported, "session \(sandbox.id) works in a host directory it was given; mlgymd writes only workspaces it made")
        }
        var materializer = TreeMaterializer(owner: .init(
            fromUID: ownerUID, fromGID: ownerGID, toUID: sandbox.agentHostUID, toGID: sandbox.agentHostGID))
        let frozen = sandbox.freezeProcesses()
        defer { if frozen { sandbox.thawProcesses() } }
        // An image is mounted (a clone of it: the snapshot itself is never written) to be read as a tree.
        var mounted: DiskVolume?
        defer { mounted?.remove(keepImage: false) }
        let sourceRoot: String
        switch kind {
        case .tree:
            sourceRoot = path(of: id) + "/tree"
        case .image:
            let work = directory + "/.restore-" + SandboxEngine.newID()
            let cloned = reflinks ? try ImageSnapshot.cloneFile(path(of: id) + "/volume.img", to: work + ".img") : false
            if !cloned {
                try HostCommand.run("/bin/cp", ["--sparse=always", "--", path(of: id) + "/volume.img", work + ".img"], doing: "copy snapshot \(id)'s image")
            }
            var size = stat()
            stat(work + ".img", &size)
            mounted = try DiskVolume.create(imagePath: work + ".img", mountPoint: work, sizeBytes: UInt64(size.st_size))
            sourceRoot = work
        }
        // Every layer's entries are read in full before anything of the session is removed, so a snapshot that
        // cannot be used leaves the session as it was.
        var plans: [(layer: Sandbox.WritableLayer, source: String, entries: [TreeEntry])] = []
        for layer in sandbox.writableLayers {
            let source = sourceRoot + "/" + layer.name
            var info = stat()
            guard lstat(source, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            if kind == .tree {
                guard let index = treeIndex(of: id, layer: layer.name) else {
                    throw MLGymError(.invalidState, "snapshot \(id)'s index of \(layer.name) is missing or damaged")
                }
                plans.append((layer, source, index))
            } else {
                let sourceFD = try DirectoryWalk.openRoot(source)
                defer { close(sourceFD) }
                plans.append((layer, source, try Self.entries(of: sourceFD)))
            }
        }
        let keeping = sandbox.mountPointsByLayer
        for plan in plans {
            try TreeMaterializer.clear(plan.layer.hostPath, keeping: keeping[plan.layer.name] ?? [])
            let sourceFD = try DirectoryWalk.openRoot(plan.source)
            defer { close(sourceFD) }
            let destinationFD = try DirectoryWalk.openRoot(plan.layer.hostPath)
            defer { close(destinationFD) }
            try materializer.materialize(plan.entries, from: sourceFD, into: destinationFD)
        }
        return materializer.copiedBytes
    }

    /// After a fork's volume came from an image snapshot: the parent's evaluation copies go, and, unless the
    /// volume is mounted idmapped, what the parent's agent owned is given to the fork's agent file by file.
    public func adopt(_ sandbox: Sandbox, fromUID: UInt32, fromGID: UInt32) throws(MLGymError) {
        let scratch = sandbox.scratchDirectory
        if FileManager.default.fileExists(atPath: scratch) {
            try TreeMaterializer.clear(scratch, keeping: [])
        }
        // An idmapped volume shows them as the agent's already (the walk below is for kernels without).
        guard !sandbox.volumeIsIDMapped, fromUID != sandbox.agentHostUID || fromGID != sandbox.agentHostGID else { return }
        let owner = TreeMaterializer.Owner(fromUID: fromUID, fromGID: fromGID, toUID: sandbox.agentHostUID, toGID: sandbox.agentHostGID)
        for layer in sandbox.writableLayers {
            guard FileManager.default.fileExists(atPath: layer.hostPath) else { continue }
            let rootFD = try DirectoryWalk.openRoot(layer.hostPath)
            defer { close(rootFD) }
            var info = stat()
            fstat(rootFD, &info)
            _ = fchown(rootFD, owner.uid(info.st_uid), owner.gid(info.st_gid))
            var skipped = DirectoryWalk.Skipped()
            try DirectoryWalk.walk(rootFD, skipped: &skipped) { entry throws(MLGymError) in
                if entry.info.st_uid == fromUID || entry.info.st_gid == fromGID {
                    _ = fchownat(entry.directoryFD, entry.name, owner.uid(entry.info.st_uid), owner.gid(entry.info.st_gid), AT_SYMLINK_NOFOLLOW)
                    // chown clears set-id bits; the agent's own files keep their mode otherwise.
                    if entry.info.st_mode & S_IFMT != S_IFLNK {
                        _ = fchmodat(entry.directoryFD, entry.name, entry.info.st_mode & 0o777, 0)
                    }
                }
                return true
            }
        }
    }

    // MARK: Remove

    /// Removes snapshot `id`, then those of its objects no other snapshot links (found from its indexes, so the
    /// cost is this snapshot's size, not the whole store's).
    public func remove(_ id: String) throws(MLGymError) {
        var objects = Set<String>()
        for layer in Sandbox.layerNames {
            for entry in treeIndex(of: id, layer: layer) ?? [] where !entry.object.isEmpty { objects.insert(entry.object) }
        }
        try Self.removeEntry(directory, id)
        for object in objects {
            var info = stat()
            if lstat(objectPath(object), &info) == 0 && info.st_nlink <= 1 { unlink(objectPath(object)) }
        }
    }

    /// Removes what is not a kept snapshot: work a crashed daemon left, and snapshots with no row (their
    /// session was removed while the daemon was down). Returns the names removed.
    @discardableResult
    public func sweep(keeping ids: Set<String>) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        for name in names where name != "objects" && !ids.contains(name) {
            if name.hasPrefix(".restore-") { _ = umount2(directory + "/" + name, Int32(MNT_DETACH)) }
            if (try? Self.removeEntry(directory, name)) != nil { removed.append(name) }
        }
        // A copy a crash left half-made in the store's root; and, when a snapshot went, the objects only it held.
        let roots = (try? FileManager.default.contentsOfDirectory(atPath: objectsDirectory)) ?? []
        for name in roots where name.hasPrefix(".incoming-") { unlink(objectsDirectory + "/" + name) }
        if !removed.isEmpty { collectObjects(buckets: roots.filter { !$0.hasPrefix(".") }) }
        return removed
    }

    /// Objects with a single link are in no snapshot.
    private func collectObjects(buckets: [String]) {
        for prefix in buckets {
            let bucket = objectsDirectory + "/" + prefix
            for name in (try? FileManager.default.contentsOfDirectory(atPath: bucket)) ?? [] {
                var info = stat()
                if lstat(bucket + "/" + name, &info) == 0 && (info.st_nlink <= 1 || name.hasPrefix(".incoming-")) {
                    unlink(bucket + "/" + name)
                }
            }
        }
    }

    // MARK: Files

    func objectPath(_ object: String) -> String {
        objectsDirectory + "/" + object.prefix(2) + "/" + object
    }

    func treeIndex(of id: String, layer: String) -> [TreeEntry]? {
        guard let data = FileManager.default.contents(atPath: path(of: id) + "/" + layer + ".index") else { return nil }
        return TreeIndex.decode(String(decoding: data, as: UTF8.self))
    }

    /// The entries of a directory tree as it is (a mounted image's layer).
    static func entries(of rootFD: Int32) throws(MLGymError) -> [TreeEntry] {
        var info = stat()
        fstat(rootFD, &info)
        var entries = [TreeEntry(kind: .directory, path: "", info: info)]
        var skipped = DirectoryWalk.Skipped()
        try DirectoryWalk.walk(rootFD, skipped: &skipped) { entry throws(MLGymError) in
            switch entry.info.st_mode & S_IFMT {
            case S_IFDIR: entries.append(TreeEntry(kind: .directory, path: entry.path, info: entry.info))
            case S_IFREG: entries.append(TreeEntry(kind: .file, path: entry.path, info: entry.info))
            case S_IFIFO: entries.append(TreeEntry(kind: .fifo, path: entry.path, info: entry.info))
            case S_IFLNK:
                if let target = SnapshotFiles.linkTarget(entry.directoryFD, entry.name) {
                    entries.append(TreeEntry(kind: .symlink, path: entry.path, info: entry.info, target: target))
                }
            default: break
            }
            return entry.isDirectory
        }
        return entries
    }

    private func write(_ text: String, to path: String) throws(MLGymError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SystemCall.error("cannot write \(path)", errno: errno)
        }
    }

    private static func removeEntry(_ directory: String, _ name: String) throws(MLGymError) {
        let fd = try DirectoryWalk.openRoot(directory)
        defer { close(fd) }
        try SnapshotFiles.removeTree(fd, name)
    }
}
