import CSandbox
import Foundation
import Glibc
import MLGymCore

/// A long-running helper process on the host (an embedding model's worker) that mlgymd talks to in lines: one
/// request line on its standard input, one answer line on its standard output. Started by `HostCommand.spawn`
/// (nothing inherited beyond the three descriptors, default signals); its stderr goes to a log file.
public final class HostWorker: @unchecked Sendable {
    public let pid: pid_t
    private let input: FileHandle
    private let output: FileHandle
    private var buffered = Data()
    private let lock = NSLock()

    /// Starts `program` with `arguments` and `environment`; the worker's stderr is appended to `logPath`.
    public init(_ program: String, _ arguments: [String], environment: [String: String], logPath: String) throws(MLGymError) {
        // A worker that dies makes the next write to it fail; that must be EPIPE, not a SIGPIPE that ends this
        // process (mlgymd ignores SIGPIPE anyway; a test runner or another host program may not).
        signal(SIGPIPE, SIG_IGN)
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else {
            throw MLGymError(.system, "cannot make pipes for \(program): \(String(cString: strerror(errno)))")
        }
        for end in toChild + fromChild { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let (childInput, childOutput) = (toChild[0], fromChild[1])
        let child: pid_t
        do {
            child = try HostCommand.spawn(
                program, arguments, environment: environment.map { "\($0.key)=\($0.value)" }, doing: "start \(program)"
            ) { actions in
                posix_spawn_file_actions_adddup2(&actions, childInput, 0)
                posix_spawn_file_actions_adddup2(&actions, childOutput, 1)
                posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            }
        } catch {
            for end in toChild + fromChild { close(end) }
            throw error
        }
        close(toChild[0])
        close(fromChild[1])
        pid = child
        input = FileHandle(fileDescriptor: toChild[1], closeOnDealloc: true)
        output = FileHandle(fileDescriptor: fromChild[0], closeOnDealloc: true)
    }

    /// Sends one line and waits for the answer line; nil when the worker has gone or did not answer within
    /// `timeout` seconds (it is then stopped: a worker that hangs must not hold its callers forever). Blocking:
    /// call it off the cooperative pool. One exchange at a time.
    public func exchange(_ line: String, timeout: Double = 120) -> String? {
        lock.lock()
        defer { lock.unlock() }
        do {
            try input.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            return nil
        }
        return readLineLocked(timeout: timeout)
    }

    /// The next line the worker writes (its greeting, for instance); nil when it has gone or stayed silent.
    public func readLine(timeout: Double = 120) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return readLineLocked(timeout: timeout)
    }

    private func readLineLocked(timeout: Double) -> String? {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = buffered[buffered.startIndex..<newline]
                buffered = Data(buffered[(newline + 1)...])
                return String(decoding: line, as: UTF8.self)
            }
            let left = deadline - ContinuousClock.now
            var ready = pollfd(fd: output.fileDescriptor, events: Int16(POLLIN), revents: 0)
            let waitMs = max(0, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            let polled = poll(&ready, 1, waitMs)
            if polled < 0 && errno == EINTR { continue }
            guard polled > 0 else {
                kill(pid, SIGKILL)
                return nil
            }
            // read(2) itself: Foundation's read(upToCount:) waits for the whole count (or the end) on a pipe.
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(output.fileDescriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            buffered.append(contentsOf: chunk[0..<count])
        }
    }

    /// Whether child `pid` exits within the time given, woken by its pidfd (no reaping). Before Linux 5.3 there is
    /// no pidfd: the wait is then a bounded poll of `waitpid(WNOHANG)`, which reaps.
    private static func exits(_ pid: pid_t, withinMilliseconds limit: Int32) -> Bool {
        let descriptor = mlg_pidfd_open(pid)
        guard descriptor >= 0 else {
            var status: Int32 = 0
            for _ in 0..<(limit / 50) {
                if waitpid(pid, &status, WNOHANG) == pid { return true }
                usleep(50_000)
            }
            return false
        }
        defer { close(descriptor) }
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&entry, 1, limit)
            if ready < 0 && errno == EINTR { continue }
            return ready > 0
        }
    }

    /// Ends the worker (SIGTERM, then SIGKILL after a second) and reaps it.
    public func stop() {
        try? input.close()
        kill(pid, SIGTERM)
        var status: Int32 = 0
        if !Self.exits(pid, withinMilliseconds: 1000) { kill(pid, SIGKILL) }
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
