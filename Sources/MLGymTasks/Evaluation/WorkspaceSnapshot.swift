import Foundation
import Glibc
import MLGymCore
import MLGymSandbox

/// A private copy of an agent's workspace for one evaluation, on the host, with the task's pristine files put
/// back.
///
/// The copy itself is made inside a sandbox (`TaskEvaluator.copyWorkspace`); once that sandbox is gone nothing
/// of the agent's can change the snapshot, but what it holds is still the agent's: symlinks to anywhere, a
/// `src` that is a link to `/`. So every pristine file is written only after each directory on its way has been
/// checked to be a real directory of the snapshot (a symlink there is replaced by one), and the artefact may
/// hold no symlink at all (`linkProblem`): a `submission.csv` linked to the hidden answers would otherwise be
/// scored against themselves.
public struct WorkspaceSnapshot: Sendable {
    public let path: String

    /// Makes `directory/workspace`, empty and owned by the agent, for the copy.
    public init(in directory: String, owner: (uid: UInt32, gid: UInt32)) throws(MLGymError) {
        path = directory + "/workspace"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch {
            throw MLGymError(.system, "cannot create the evaluation directory \(directory): \(error)")
        }
        chmod(directory, 0o711)
        guard chown(path, owner.uid, owner.gid) == 0 else {
            throw MLGymError(.system, "cannot give \(path) to the agent: \(String(cString: strerror(errno)))")
        }
    }

    /// Why the artefact at `relative` cannot be evaluated, or nil when it can. It must be a regular file, or a
    /// directory holding only regular files and directories: a symlink (on its path or inside it) could make a
    /// `submission.csv` that is the hidden answers themselves, and a FIFO, socket or device would hang or fool the
    /// evaluation's reads. Only `lstat` is used, so nothing here opens (and blocks on) what the agent left. A
    /// missing artefact is not a problem here (the evaluation reports it).
    public func artefactProblem(in relative: String) -> String? {
        var current = path
        var info = stat()
        for component in relative.split(separator: "/") {
            current += "/" + component
            guard lstat(current, &info) == 0 else { return nil }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                return "the artefact \(relative) must be a regular file or directory, not a symbolic link (\(current.dropFirst(path.count + 1)) is one); write the file itself"
            }
        }
        if let kind = Self.specialKind(info.st_mode) {
            return "the artefact \(relative) must be a regular file or directory, not \(kind); write the file itself"
        }
        return Self.firstOddEntry(under: current).map { entry, kind in
            "the artefact \(relative) holds \(kind) (\(entry.dropFirst(path.count + 1))); artefacts must hold only regular files and directories"
        }
    }

    /// What a file of `mode` is when it is neither a regular file nor a directory, for a message.
    private static func specialKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG, S_IFDIR: nil
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "a special file"
        }
    }

    private static func firstOddEntry(under directory: String) -> (String, String)? {
        var info = stat()
        guard lstat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR,
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return nil }
        for name in names.sorted() {
            let entry = directory + "/" + name
            guard lstat(entry, &info) == 0 else { continue }
            if let kind = specialKind(info.st_mode) { return (entry, kind) }
            if (info.st_mode & S_IFMT) == S_IFDIR, let found = firstOddEntry(under: entry) { return found }
        }
        return nil
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
            try HostCommand.run("/bin/rm", ["-rf", "--one-file-system", "--", path], doing: "clear \(path) in the evaluation snapshot")
        } else if unlink(path) != 0 {
            throw MLGymError(.system, "cannot remove \(path) from the evaluation snapshot: \(String(cString: strerror(errno)))")
        }
    }

    /// Removes an evaluation's directory.
    public static func discard(_ directory: String) {
        try? HostCommand.run("/bin/rm", ["-rf", "--one-file-system", "--", directory], doing: "remove \(directory)")
    }
}
