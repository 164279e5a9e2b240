import Foundation
import Glibc
import MLGymAPI
import MLGymCore
import MLGymSandbox

extension SessionSpec {
    /// The sandbox this spec asks for, or a 400-class error that names the bad field. Host paths are checked
    /// against `owner`: a non-root client may only bind a workspace it owns.
    func sandboxSpec(rootFilesystem: SandboxSpec.RootFilesystem, defaults: ResourceLimits, owner: PeerCredentials) throws(MLGymError) -> SandboxSpec {
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
