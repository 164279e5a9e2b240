import Foundation
import Glibc

/// Blocking reads and waits, each on a thread of its own, so the cooperative pool never blocks on a descriptor.
enum BlockingIO {
    /// Reads `fd` to EOF (EIO from a PTY master counts as EOF), then closes it.
    static func readAll(_ fd: Int32, limit: Int = 64 << 20) async -> [UInt8] {
        await onThread(named: "mlgym-read") {
            var result: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                if result.count < limit { result += buffer[0..<min(n, limit - result.count)] }
            }
            close(fd)
            return result
        }
    }

    /// Writes all of `bytes` to `fd`, then closes it.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) async {
        await onThread(named: "mlgym-write") {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
            close(fd)
        }
    }

    /// waitpid() for a child of this process.
    static func wait(pid: Int32) async -> Int32 {
        await onThread(named: "mlgym-waitpid") {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return status
        }
    }

    static func onThread<T: Sendable>(named name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }
}
