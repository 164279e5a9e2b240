import CSandbox
import Foundation
import Glibc

/// A long-running child (mlgymd) started with posix_spawn and reaped with waitpid on its own pid: its exit is
/// observed directly, whatever else in the test process starts or reaps.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `executable` with stdin from /dev/null and stdout and stderr appended to `logPath`, or with all
    /// three on `terminal` when given.
    public init(_ executable: String, _ arguments: [String], environment: [String: String], logPath: String = "/dev/null", terminal: Int32? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let terminal {
            for target in Int32(0)...2 { posix_spawn_file_actions_adddup2(&actions, terminal, target) }
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // Nothing else of the test process (other tests' pipes and terminals) may leak into the child.
        _ = mlg_spawn_actions_close_from(&actions, 3)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        // The child starts with no signal blocked or ignored, whatever the test runner's threads have set.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        _ = mlg_spawnattr_default_signals(&attributes)
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw TemporaryTaskRootError(message: "posix_spawn \(executable): errno \(result)") }
        pid = child
    }

    /// Whether it still runs (reaps it if it has exited).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if status != nil { return false }
        var raw: Int32 = 0
        let reaped = waitpid(pid, &raw, WNOHANG)
        if reaped == pid { status = Self.decode(raw) } else if reaped < 0 { status = -1 }
        return status == nil
    }

    /// Waits for the exit; the exit code, 128 + signal, or -1 if it could not be observed.
    @discardableResult
    public func wait() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &raw, 0) } while reaped < 0 && errno == EINTR
        let decoded = reaped == pid ? Self.decode(raw) : -1
        status = decoded
        return decoded
    }

    private static func decode(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }
}
