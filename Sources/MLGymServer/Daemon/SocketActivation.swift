import Foundation
import Glibc

/// The listening socket systemd passes when `mlgymd.socket` starts the service (sd_listen_fds(3)): fd 3, when
/// LISTEN_PID is this process and LISTEN_FDS is at least 1.
public enum SocketActivation {
    /// The first passed descriptor, made close-on-exec so sandboxes never inherit it; the variables are removed
    /// so that nothing the daemon starts takes them as its own.
    public static func takeListener() -> Int32? {
        let environment = ProcessInfo.processInfo.environment
        guard let pid = environment["LISTEN_PID"].flatMap(Int32.init), pid == getpid(),
              let count = environment["LISTEN_FDS"].flatMap(Int.init), count >= 1
        else { return nil }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        let descriptor: Int32 = 3
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return descriptor
    }
}
