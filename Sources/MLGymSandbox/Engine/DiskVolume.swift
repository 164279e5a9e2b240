import CSandbox
import Foundation
import Glibc
import MLGymCore

/// A size-limited ext4 file system in a sparse image file, loop-mounted on a host directory.
///
/// Why: the workspace and the overlay's upper directory live on the host's disk; an agent that writes without
/// end must get ENOSPC from its own volume, never fill the host. A loop-mounted image gives a hard limit on any
/// host file system (project quotas would need XFS or a prepared ext4). Needs root; rootless sandboxes fall back
/// to a plain directory with a warning.
public struct DiskVolume: Sendable {
    public let imagePath: String
    public let mountPoint: String
    /// Whether it is mounted idmapped (a fork's volume: its files are the parent's agent's on disk).
    public var idmapped = false

    /// Ids the image's files carry on disk, and the ids they are to be seen as.
    public struct IDMap: Sendable, Equatable {
        public var diskUID: UInt32, diskGID: UInt32, uid: UInt32, gid: UInt32
        public init(diskUID: UInt32, diskGID: UInt32, uid: UInt32, gid: UInt32) {
            self.diskUID = diskUID
            self.diskGID = diskGID
            self.uid = uid
            self.gid = gid
        }
    }

    /// Creates (or reuses) the image at `imagePath` with `sizeBytes` and mounts it on `mountPoint`; a fresh
    /// image comes from `pool` when it has one of that size.
    /// - Parameter idmap: mount it idmapped so (where the kernel can; false in `idmapped` otherwise, and the
    ///   caller changes the owners itself).
    public static func create(
        imagePath: String, mountPoint: String, sizeBytes: UInt64, pool: VolumeImagePool? = nil, idmap: IDMap? = nil
    ) throws(MLGymError) -> DiskVolume {
        let manager = FileManager.default
        if !manager.fileExists(atPath: imagePath), pool?.take(sizeBytes: sizeBytes, to: imagePath) != true {
            try format(imagePath: imagePath, sizeBytes: sizeBytes)
        }
        do {
            try manager.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        } catch {
            throw MLGymError(.system, "cannot create mount point \(mountPoint): \(error)")
        }
        // System calls rather than mount(8): a session start then forks no process for its volume.
        let mounted = mlg_loop_mount(imagePath, mountPoint, UInt(MS_NOSUID | MS_NODEV))
        guard mounted == 0 else {
            throw MLGymError(.system, "cannot loop-mount volume \(imagePath) on \(mountPoint): \(String(cString: strerror(-mounted))) (loop devices need root and /dev/loop-control)")
        }
        var volume = DiskVolume(imagePath: imagePath, mountPoint: mountPoint)
        if let idmap, idmap.diskUID != idmap.uid || idmap.diskGID != idmap.gid {
            let mapped = mlg_idmap_mount(mountPoint, idmap.diskUID, idmap.uid, idmap.diskGID, idmap.gid)
            if mapped == 0 {
                volume.idmapped = true
            } else if !isMountPoint(mountPoint) {
                throw MLGymError(.system, "cannot mount volume \(imagePath) idmapped on \(mountPoint): \(String(cString: strerror(-mapped)))")
            }
        }
        return volume
    }

    /// Whether something is mounted at `path` (it is on another device than its parent).
    static func isMountPoint(_ path: String) -> Bool {
        var own = stat(), parent = stat()
        guard stat(path, &own) == 0, stat(path + "/..", &parent) == 0 else { return false }
        return own.st_dev != parent.st_dev
    }

    /// Makes a sparse image of `sizeBytes` at `imagePath` with an empty ext4 file system in it.
    static func format(imagePath: String, sizeBytes: UInt64) throws(MLGymError) {
        let manager = FileManager.default
        guard let handle = FileHandle(forWritingAtPath: imagePath) ?? {
            _ = manager.createFile(atPath: imagePath, contents: nil, attributes: [.posixPermissions: 0o600])
            return FileHandle(forWritingAtPath: imagePath)
        }() else {
            throw MLGymError(.system, "cannot create volume image \(imagePath)")
        }
        do {
            try handle.truncate(atOffset: sizeBytes)
            try handle.close()
        } catch {
            throw MLGymError(.system, "cannot size volume image \(imagePath) to \(sizeBytes) bytes: \(error)")
        }
        // With a journal: without one, ext4 will not hand out an inode freed in the last few seconds, and an
        // agent's `rm -rf build` followed by a rebuild (or a restore of 100,000 small files) crawled 15 times
        // slower while it searched for one. `lazy_journal_init` keeps the image sparse and mkfs instant.
        try run("/sbin/mkfs.ext4", ["-q", "-F", "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1", imagePath],
                what: "cannot make an ext4 file system in \(imagePath)", hint: "is e2fsprogs installed?")
    }

    /// Unmounts the volume (the loop device goes with it) and, unless kept, deletes the image.
    public func remove(keepImage: Bool) {
        _ = umount2(mountPoint, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: mountPoint)
        if !keepImage { try? FileManager.default.removeItem(atPath: imagePath) }
    }

    private static func run(_ tool: String, _ arguments: [String], what: String, hint: String) throws(MLGymError) {
        do {
            try HostCommand.run(tool, arguments, doing: what)
        } catch {
            throw MLGymError(error.code, "\(error.message) (\(hint))")
        }
    }
}
