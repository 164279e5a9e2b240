import CSandbox
import Glibc
import MLGymCore

/// Snapshots of a whole volume: its file system frozen (FIFREEZE writes everything out and blocks writers), its
/// image file reflinked, thawed. The clone costs metadata only, whatever the workspace holds, and is consistent
/// because nothing could write between the freeze and the clone.
enum ImageSnapshot {
    /// Clones the image of the volume mounted at `mountPoint` to `destination`. False (and nothing left at
    /// `destination`) when the file system under the image has no reflinks.
    static func clone(volumeAt mountPoint: String, image: String, to destination: String) throws(MLGymError) -> Bool {
        let mountFD = open(mountPoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard mountFD >= 0 else { throw SystemCall.error("cannot open the volume at \(mountPoint)", errno: errno) }
        defer { close(mountFD) }
        let frozen = mlg_fs_freeze(mountFD)
        guard frozen == 0 else { throw SystemCall.error("cannot freeze the volume's file system", errno: -frozen) }
        defer { _ = mlg_fs_thaw(mountFD) }
        return try cloneFile(image, to: destination)
    }

    /// Writes the volume's dirty data to its image (syncfs), without stopping its writers.
    static func flush(volumeAt mountPoint: String) {
        let fd = open(mountPoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = mlg_syncfs(fd)
        close(fd)
    }

    /// Reflinks `source` to a new file `destination` (mode 0600). False when the file systems cannot.
    static func cloneFile(_ source: String, to destination: String) throws(MLGymError) -> Bool {
        let sourceFD = open(source, O_RDONLY | O_CLOEXEC)
        guard sourceFD >= 0 else { throw SystemCall.error("cannot open \(source)", errno: errno) }
        defer { close(sourceFD) }
        let destinationFD = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard destinationFD >= 0 else { throw SystemCall.error("cannot create \(destination)", errno: errno) }
        let cloned = mlg_file_clone(destinationFD, sourceFD)
        close(destinationFD)
        if cloned == 0 { return true }
        unlink(destination)
        if [EXDEV, EOPNOTSUPP, EINVAL, ENOTTY, EBADF].contains(-cloned) { return false }
        throw SystemCall.error("cannot clone \(source)", errno: -cloned)
    }

    /// Bytes in use on the file system mounted at `mountPoint`.
    static func usedBytes(_ mountPoint: String) -> Int64 {
        var info = statvfs()
        guard statvfs(mountPoint, &info) == 0 else { return 0 }
        return Int64(info.f_blocks - info.f_bfree) * Int64(info.f_frsize)
    }
}
