import Foundation
import Glibc
import MLGymTestSupport

/// A program on a pseudo-terminal, as a person at a terminal would run it: `type` sends keys, `waitFor` reads
/// the screen output until a text appears.
final class TerminalSession: @unchecked Sendable {
    let process: ChildProcess
    private let master: Int32
    private let lock = NSLock()
    private var screen: [UInt8] = []
    private var closed = false

    init(_ executable: String, _ arguments: [String], environment: [String: String], rows: UInt16 = 30, cols: UInt16 = 100) throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var size = winsize(ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw TestFailure("openpty: errno \(errno)") }
        self.master = master
        // Only the child's 0, 1 and 2 should hold the terminal (dup2 clears close-on-exec on those).
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slave, F_SETFD, FD_CLOEXEC)
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process = try ChildProcess(executable, arguments, environment: merged, terminal: slave)
        close(slave)
        let reader = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(self.master, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                lock.lock()
                screen += buffer[0..<count]
                lock.unlock()
            }
            lock.lock()
            closed = true
            lock.unlock()
        }
        reader.start()
    }

    var output: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: screen, as: UTF8.self)
    }

    func type(_ text: String) { type(Array(text.utf8)) }

    func type(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Waits (up to 30 s) until the output contains `text` `count` times; returns whether it did.
    @discardableResult
    func waitFor(_ text: String, count: Int = 1) -> Bool {
        for _ in 0..<600 {
            if output.components(separatedBy: text).count - 1 >= count { return true }
            usleep(50_000)
        }
        return false
    }

    /// Waits for the program to exit (up to 30 s, then kills it); returns its status.
    func waitForExit() -> Int32 {
        for _ in 0..<600 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.pid, SIGKILL) }
        return process.wait()
    }

    deinit { close(master) }
}
