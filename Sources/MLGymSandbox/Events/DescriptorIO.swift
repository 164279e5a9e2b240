import CSandbox
import Glibc
import Synchronization

/// Reads, writes and process waits that finish through the `EventSupervisor`: the caller's task is suspended
/// until the descriptor is done, and no thread waits for it.
enum DescriptorIO {
    /// Reads `fd` to EOF (EIO from a PTY master counts as EOF) keeping at most `limit` bytes, then closes it.
    static func readAll(_ fd: Int32, limit: Int = 64 << 20) async -> [UInt8] {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let collected = Mutex<[UInt8]>([])
        return await withCheckedContinuation { continuation in
            do {
                _ = try EventSupervisor.shared.watch(fd) { watch, _ in
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    while true {
                        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                        if n < 0 && errno == EINTR { continue }
                        if n < 0 && errno == EAGAIN { return }
                        if n <= 0 { break }
                        collected.withLock { result in
                            if result.count < limit { result += buffer[0..<min(n, limit - result.count)] }
                        }
                    }
                    watch.end { close(fd) }
                    continuation.resume(returning: collected.withLock { $0 })
                }
            } catch {
                close(fd)
                continuation.resume(returning: [])
            }
        }
    }

    /// Writes all of `bytes` to `fd` (until the reader goes away), then closes it.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) async {
        guard !bytes.isEmpty else {
            close(fd)
            return
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let offset = Mutex(0)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            do {
                _ = try EventSupervisor.shared.watch(fd, for: MLG_EV_WRITABLE) { watch, _ in
                    while true {
                        let done = offset.withLock { $0 }
                        if done == bytes.count { break }
                        let n = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                        if n < 0 && errno == EINTR { continue }
                        if n < 0 && errno == EAGAIN { return }
                        if n <= 0 { break }  // EPIPE: nobody reads any more
                        offset.withLock { $0 += n }
                    }
                    watch.end { close(fd) }
                    continuation.resume()
                }
            } catch {
                close(fd)
                continuation.resume()
            }
        }
    }

    /// Waits for a child of this process to exit and reaps it; returns its wait status. A pidfd wakes the
    /// supervisor when it exits; only a kernel without pidfds (before 5.3) costs a thread blocked in waitpid.
    static func wait(pid: Int32) async -> Int32 {
        let pidfd = mlg_pidfd_open(pid)
        guard pidfd >= 0 else { return await HostWork.run { reap(pid, blocking: true) ?? 0 } }
        return await withCheckedContinuation { continuation in
            do {
                _ = try EventSupervisor.shared.watch(pidfd) { watch, _ in
                    guard let status = reap(pid, blocking: false) else { return }
                    watch.end { close(pidfd) }
                    continuation.resume(returning: status)
                }
            } catch {
                close(pidfd)
                continuation.resume(returning: reap(pid, blocking: true) ?? 0)
            }
        }
    }

    /// waitpid(2); nil while a non-blocking wait finds the child still running.
    private static func reap(_ pid: Int32, blocking: Bool) -> Int32? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result < 0 && errno == EINTR { continue }
            if result == 0 { return nil }
            return status
        }
    }
}
