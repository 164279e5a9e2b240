import Foundation
import Glibc
import MLGymAPI
import MLGymCore
import MLGymSandbox

extension SessionSpec {
    /// The sandbox this spec asks for, or a 400-class error that names the bad field. Host paths are checked
    /// against `owner`: a non-root client may only bind a workspace it owns.
    func sandboxSpec(
        rootFilesystem: SandboxSpec.RootFilesystem, defaults: ResourceLimits, owner: PeerCredentials,
        capacity: HostCapacity = .current()
    ) throws(MLGymError) -> SandboxSpec {
        func size(_ text: String?, _ field: String) throws(MLGymError) -> UInt64? {
            guard let text else { return nil }
            guard let value = ByteCount.parse(text) else {
                throw MLGymError(.invalidArgument, "\(field) '\(text)' is not a size (write e.g. 512M or 8G)")
            }
            return value
        }
        if let task {
            throw MLGymError(.notFound, "unknown task '\(task)': no tasks are installed yet (start a bare session without --task)")
        }
        if let name, name.count > 128 || name.contains(where: { $0.isNewline }) {
            throw MLGymError(.invalidArgument, "name must be one line of at most 128 characters")
        }
        var limits = defaults
        if let memory = try size(memory, "memory") { limits.memoryBytes = memory }
        if let cpus { limits.cpus = cpus }
        if let pids { limits.pids = pids }
        if let disk = try size(disk, "disk") { limits.diskBytes = disk }
        if let wallTime { limits.wallTimeSeconds = wallTime }
        try capacity.check(limits, for: owner)
        let networkMode: SandboxSpec.Network
        switch network ?? "none" {
        case "none", "loopback": networkMode = .none
        case "host": networkMode = .host
        case let other: throw MLGymError(.invalidArgument, "network '\(other)' must be none, loopback or host")
        }
        let selection = try GPUSelection(parsing: gpus ?? "none")
        if let workspace {
            guard workspace.hasPrefix("/") else {
                throw MLGymError(.invalidArgument, "workspace '\(workspace)' must be an absolute path")
            }
            var info = stat()
            guard stat(workspace, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                throw MLGymError(.invalidArgument, "workspace '\(workspace)' is not a directory the daemon can see")
            }
            if !owner.isAdministrator && info.st_uid != owner.uid {
                throw MLGymError(.permissionDenied, "workspace '\(workspace)' belongs to uid \(info.st_uid), not to you (uid \(owner.uid))")
            }
        }
        let spec = SandboxSpec(
            rootFilesystem: rootFilesystem, workspaceHostPath: workspace, limits: limits, network: networkMode, gpus: selection)
        try spec.validate()
        return spec
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

    static func current(volumeDirectory: String = "/var/lib/mlgym") -> HostCapacity {
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
