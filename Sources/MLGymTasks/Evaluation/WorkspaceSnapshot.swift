import Foundation
import Glibc
import MLGymCore

/// A private copy of an agent's workspace for one evaluation, with the task's pristine files put back.
///
/// The workspace is the agent's: it may hold symlinks to anywhere, fifos, or a `src` that is a link to `/`.
/// So the copy never follows a symlink (`cp -a`), and every pristine file is written only after each directory
/// on its way has been checked to be a real directory of the snapshot (a symlink there is replaced by one).
public struct WorkspaceSnapshot: Sendable {
    public let path: String

    /// Copies `workspace` to `directory/workspace` (reflinks where the filesystem has them).
    public init(of workspace: String, in directory: String) throws(MLGymError) {
        path = directory + "/workspace"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        } catch {
            throw MLGymError(.system, "cannot create the evaluation directory \(directory): \(error)")
        }
        try HostCommand.run("/bin/cp", ["-a", "--reflink=auto", "--", workspace, path], doing: "snapshot the workspace for evaluation")
    }

    /// Replaces `relative` in the snapshot with a copy of `source` (a pristine task file or directory).
    public func restore(_ relative: String, from source: String) throws(MLGymError) {
        let destination = try realParent(of: relative) + "/" + (relative as NSString).lastPathComponent
        try remove(destination)
        try HostCommand.run("/bin/cp", ["-a", "--no-preserve=ownership", "--", source, destination], doing: "restore \(relative) for evaluation")
        try HostCommand.run("/bin/chmod", ["-R", "a+rX", "--", destination], doing: "make \(relative) readable for evaluation")
    }

    /// Makes sure `relative` is an empty directory in the snapshot (a mount point for read-only data).
    public func makeMountPoint(_ relative: String) throws(MLGymError) {
        let destination = try realParent(of: relative) + "/" + (relative as NSString).lastPathComponent
        var info = stat()
        if lstat(destination, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { return }
        try remove(destination)
        guard mkdir(destination, 0o755) == 0 else {
            throw MLGymError(.system, "cannot create \(relative) in the evaluation snapshot: \(String(cString: strerror(errno)))")
        }
    }

    /// The host path of `relative`'s parent directory, each component a real directory of the snapshot.
    private func realParent(of relative: String) throws(MLGymError) -> String {
        var current = path
        for component in relative.split(separator: "/").dropLast() {
            current += "/" + component
            var info = stat()
            if lstat(current, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { continue }
            try remove(current)
            guard mkdir(current, 0o755) == 0 else {
                throw MLGymError(.system, "cannot create \(current) in the evaluation snapshot: \(String(cString: strerror(errno)))")
            }
        }
        return current
    }

    /// Removes whatever is at `path` (a symlink itself, never its target).
    private func remove(_ path: String) throws(MLGymError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            try HostCommand.run("/bin/rm", ["-rf", "--", path], doing: "clear \(path) in the evaluation snapshot")
        } else if unlink(path) != 0 {
            throw MLGymError(.system, "cannot remove \(path) from the evaluation snapshot: \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the snapshot's directory.
    public static func discard(_ directory: String) {
        try? HostCommand.run("/bin/rm", ["-rf", "--one-file-system", "--", directory], doing: "remove \(directory)")
    }
}
