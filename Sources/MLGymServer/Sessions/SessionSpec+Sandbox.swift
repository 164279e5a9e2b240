import CSandbox
import Foundation
import Glibc
import MLGymAPI
import MLGymCore
import MLGymSandbox

extension SessionSpec {
    /// The sandbox this spec asks for, or a 400-class error that names the bad field. A workspace is opened
    /// with `owner`'s permissions and must be theirs (unless they are root); the sandbox binds that open
    /// directory, so swapping the path for a symlink after the check changes nothing. Keep the returned
    /// `PinnedDirectory` until the sandbox is built.
    func sandboxSpec(
        rootFilesystem: SandboxSpec.RootFilesystem, defaults: ResourceLimits, owner: PeerCredentials,
        capacity: HostCapacity, stagingDirectory: String
    ) throws(MLGymError) -> (SandboxSpec, PinnedDirectory?) {
        func size(_ text: String?, _ field: String) throws(MLGymError) -> UInt64? {
            guard let text else { return nil }
            guard let value = ByteCount.parse(text) else {
                throw MLGymError(.invalidArgument, "\(field) '\(text)' is not a size (write e.g. 512M or 8G)")
            }
            return value
        }
        // A name is printed on other people's terminals (root's `mlgymctl ls`): no escape sequences, no
        // bidirectional overrides, nothing invisible.
        if let name, name.isEmpty || name.count > 128 || TerminalText.hasControlCharacters(name) {
            throw MLGymError(
                .invalidArgument,
                "name '\(TerminalText.escaped(name))' must be 1 to 128 characters on one line, without control or format characters")
        }
        var limits = defaults
        if let memory = try size(memory, "memory") { limits.memoryBytes = memory }
        if let cpus { limits.cpus = cpus }
        if let pids { limits.pids = pids }
        if let disk = try size(disk, "disk") {
            limits.diskBytes = disk
        } else if let byDefault = limits.diskBytes, let free = capacity.freeDiskBytes, byDefault > free {
            // The default is a ceiling for every session, not a promise: on a fuller disk it shrinks to what is free.
            limits.diskBytes = max(free, 16 << 20)
        }
        if let wallTime { limits.wallTimeSeconds = wallTime }
        try capacity.check(limits, for: owner)
        let networkMode: SandboxSpec.Network
        switch network ?? "none" {
        // `packages` is `none` for the sandbox: the session manager adds the proxy to the package indexes.
        case "none", "loopback", "packages": networkMode = .none
        case "host": networkMode = .host
        case let other: throw MLGymError(.invalidArgument, "network '\(other)' must be none, loopback, packages or host")
        }
        let selection = try GPUSelection(parsing: gpus ?? "none")
        var pinned: PinnedDirectory?
        if let workspace {
            guard workspace.hasPrefix("/") else {
                throw MLGymError(.invalidArgument, "workspace '\(workspace)' must be an absolute path")
            }
            pinned = try PinnedDirectory(workspace, for: owner, stagingDirectory: stagingDirectory)
        }
        let spec = SandboxSpec(
            rootFilesystem: rootFilesystem, workspaceHostPath: pinned?.path, limits: limits, network: networkMode, gpus: selection)
        try spec.validate()
        return (spec, pinned)
    }
}

/// What this host has, to refuse limits it could never honour (a 1 TiB volume on a 78 GB disk) and to keep one
/// non-root user from asking for more than the whole machine.
struct HostCapacity: Sendable {
    var memoryBytes: UInt64
    var cpus: Int
    /// Free space where session volumes are made, or nil when unknown.
    var freeDiskBytes: UInt64?
    var pidMax: Int

    static func current(volumeDirectory: String) -> HostCapacity {
        let pages = UInt64(max(0, sysconf(Int32(_SC_PHYS_PAGES))))
        let pageSize = UInt64(max(0, sysconf(Int32(_SC_PAGESIZE))))
        var disk = statvfs()
        let free = statvfs(volumeDirectory, &disk) == 0 ? UInt64(disk.f_bavail) * UInt64(disk.f_frsize) : nil
        let pidMax = (try? String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 4_194_304
        return HostCapacity(memoryBytes: pages * pageSize, cpus: max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))), freeDiskBytes: free, pidMax: pidMax)
    }

    func check(_ limits: ResourceLimits, for owner: PeerCredentials) throws(MLGymError) {
        if let pids = limits.pids, pids > pidMax {
            throw MLGymError(.invalidArgument, "pids \(pids) is above the kernel's pid_max (\(pidMax))")
        }
        if limits.diskBytes != nil, let freeDiskBytes, freeDiskBytes < 16 << 20 {
            throw MLGymError(
                .system,
                "no space left for a session volume: the state directory's file system has \(ByteCount.format(freeDiskBytes)) free; free some space there, then start the session again")
        }
        if let disk = limits.diskBytes, let freeDiskBytes, disk > freeDiskBytes {
            throw MLGymError(.invalidArgument, "disk \(ByteCount.format(disk)) is more than the \(ByteCount.format(freeDiskBytes)) free for session volumes")
        }
        guard !owner.isAdministrator else { return }
        if let memory = limits.memoryBytes, memory > memoryBytes {
            throw MLGymError(.invalidArgument, "memory \(ByteCount.format(memory)) is more than this host has (\(ByteCount.format(memoryBytes)))")
        }
        if let cpus = limits.cpus, cpus > Double(self.cpus) {
            throw MLGymError(.invalidArgument, "cpus \(cpus) is more than this host has (\(self.cpus))")
        }
        if let wallTime = limits.wallTimeSeconds, wallTime > 30 * 86400 {
            throw MLGymError(.invalidArgument, "wall time \(wallTime) s is more than 30 days")
        }
    }
}

/// A client's workspace, checked and made safe to bind: opened (O_PATH) with the client's permissions, checked
/// to be theirs, then bound from that descriptor onto a staging directory under the daemon's runtime directory.
/// The sandbox binds the staging mount, a path no client can change, so swapping the workspace path for a
/// symlink after the check changes nothing. (The descriptor itself cannot be the bind source: the sandbox's
/// mount namespace is a copy, and the kernel binds only mounts of the caller's own namespace.)
final class PinnedDirectory: Sendable {
    /// The staging mount point (the bind source for the sandbox).
    let path: String

    /// Opens `path` as `owner` would; a non-root owner must own it. Missing, unreachable and not-yours are
    /// one answer, so that the daemon's root view of the host tells a client nothing.
    init(_ requested: String, for owner: PeerCredentials, stagingDirectory: String) throws(MLGymError) {
        let opened = mlg_open_directory_as(requested, owner.uid, owner.gid)
        let refusal = MLGymError(.permissionDenied, "workspace '\(requested)' is not a directory of yours that you can reach (symlinks are not followed)")
        guard opened >= 0 else { throw refusal }
        defer { close(opened) }
        var info = stat()
        guard fstat(opened, &info) == 0, owner.isAdministrator || info.st_uid == owner.uid else { throw refusal }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw refusal }
        // /proc/<pid> is a directory its process's owner owns, and holds `root`: the host's / with their rights.
        guard let kind = FileSystemKind.of(descriptor: opened) else {
            throw MLGymError(.invalidArgument, "workspace '\(requested)': cannot tell its file system (fstatfs failed)")
        }
        if let pseudo = kind.pseudoName {
            throw MLGymError(
                .invalidArgument,
                "workspace '\(requested)' is on \(pseudo), a kernel pseudo-filesystem; a workspace must be an ordinary directory on an ordinary file system")
        }
        guard (try? FileManager.default.createDirectory(atPath: stagingDirectory, withIntermediateDirectories: true,
                                                         attributes: [.posixPermissions: 0o700])) != nil
        else { throw MLGymError(.system, "cannot create \(stagingDirectory) for the workspace") }
        guard mount("/proc/self/fd/\(opened)", stagingDirectory, nil, UInt(MS_BIND), nil) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(atPath: stagingDirectory)
            throw MLGymError(.system, "cannot stage workspace '\(requested)': \(String(cString: strerror(code)))")
        }
        path = stagingDirectory
    }

    /// Removes the staging mount (the sandbox keeps its own copy of it).
    deinit {
        _ = umount2(path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Staging mounts left by a daemon that died while building a sandbox.
    static func removeLeftovers(in directory: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            _ = umount2(directory + "/" + name, Int32(MNT_DETACH))
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }
}
