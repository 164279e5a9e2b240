import CInitProtocol
import CSandbox
import Foundation
import Glibc
import MLGymCore
import Synchronization

/// The daemon's end of the socket to one sandbox's mlgym-init: sends spawn and signal requests, and turns
/// init's replies and exit reports into awaited results.
///
/// The socket is watched by the process's `EventSupervisor`: no thread waits on it.
final class InitChannel: Sendable {
    struct Spawned: Sendable {
        let requestID: UInt32
        let pid: Int32
        let ptyMaster: Int32?
    }

    private struct State {
        var nextID: UInt32 = 1
        var ready: CheckedContinuation<Void, any Error>?
        var isReady = false
        var closed = false
        var pendingSpawns: [UInt32: CheckedContinuation<Spawned, any Error>] = [:]
        var exitWaiters: [UInt32: [CheckedContinuation<ExitStatus, Never>]] = [:]
        var exits: [UInt32: ExitStatus] = [:]
    }

    let fd: Int32
    private let state = Mutex(State())
    private let onClose: @Sendable () -> Void

    /// Status given to processes still running when the sandbox disappears: they were killed with it.
    static let killedWithSandbox = ExitStatus.signaled(SIGKILL)

    init(fd: Int32, onClose: @escaping @Sendable () -> Void) throws(MLGymError) {
        self.fd = fd
        self.onClose = onClose
        _ = try EventSupervisor.shared.watch(fd) { [self] watch, _ in self.receive(watch) }
    }

    /// Waits for init's READY message: the sandbox is up.
    func waitUntilReady() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Void, MLGymError>? = state.withLock { state in
                if state.isReady { return .success(()) }
                if state.closed { return .failure(MLGymError(.system, "mlgym-init exited before it was ready")) }
                state.ready = continuation
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Asks init to start a process. `stdio` are the child's stdin, stdout, stderr (ignored with a PTY).
    func spawn(
        argv: [String], environment: [String: String], workingDirectory: String, uid: UInt32, gid: UInt32,
        groups: [UInt32], pty: (rows: UInt16, cols: UInt16)?, stdio: [Int32]
    ) async throws -> Spawned {
        let id = state.withLock { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        var spawn = mlg_spawn()
        spawn.uid = uid
        spawn.gid = gid
        spawn.flags = pty == nil ? 0 : UInt32(MLG_SPAWN_PTY.rawValue)
        spawn.rows = pty?.rows ?? 0
        spawn.cols = pty?.cols ?? 0
        spawn.n_groups = UInt32(groups.count)
        spawn.n_argv = UInt32(argv.count)
        spawn.n_env = UInt32(environment.count)
        var payload = [UInt8]()
        withUnsafeBytes(of: &spawn) { payload.append(contentsOf: $0) }
        for group in groups { withUnsafeBytes(of: group) { payload.append(contentsOf: $0) } }
        let strings = [workingDirectory] + argv + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        for string in strings {
            payload.append(contentsOf: Array(string.utf8))
            payload.append(0)
        }
        var header = mlg_msg(type: UInt32(MLG_MSG_SPAWN.rawValue), id: id, a: 0, b: 0, len: UInt32(payload.count))
        var message = [UInt8]()
        withUnsafeBytes(of: &header) { message.append(contentsOf: $0) }
        message += payload
        guard message.count <= MLG_INIT_MAX_MESSAGE else {
            throw MLGymError(.invalidArgument, "command and environment are \(message.count) bytes; at most \(MLG_INIT_MAX_MESSAGE) fit")
        }
        return try await withCheckedThrowingContinuation { continuation in
            // Send under the lock: once the reader has closed the socket its number may be reused.
            let fds = pty == nil ? stdio : []
            let outcome: Int? = state.withLock { state in
                if state.closed { return nil }
                state.pendingSpawns[id] = continuation
                return message.withUnsafeBytes { bytes in
                    mlg_send_message(fd, bytes.baseAddress, bytes.count, fds, Int32(fds.count))
                }
            }
            guard let sent = outcome else {
                continuation.resume(throwing: MLGymError(.invalidState, "the sandbox is gone; cannot start \(argv[0])"))
                return
            }
            if sent < 0 {
                let waiting = state.withLock { $0.pendingSpawns.removeValue(forKey: id) }
                waiting?.resume(throwing: SystemCall.error("cannot send a spawn request to mlgym-init", errno: Int32(-sent)))
            }
        }
    }

    /// Waits for the process started by request `id` to end.
    func waitForExit(requestID id: UInt32) async -> ExitStatus {
        await withCheckedContinuation { continuation in
            let known: ExitStatus? = state.withLock { state in
                if let status = state.exits[id] { return status }
                if state.closed { return Self.killedWithSandbox }
                state.exitWaiters[id, default: []].append(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    /// Sends `signal` to a process (or, with a negative pid, a process group) of the sandbox, through init.
    func signal(pid: Int32, signal: Int32) {
        let header = mlg_msg(type: UInt32(MLG_MSG_SIGNAL.rawValue), id: 0, a: pid, b: signal, len: 0)
        state.withLock { state in
            guard !state.closed else { return }
            _ = withUnsafeBytes(of: header) { mlg_send_message(fd, $0.baseAddress, $0.count, nil, 0) }
        }
    }

    /// Closes the socket: init sees EOF and takes the sandbox down with it.
    ///
    /// Under the lock, and only while the reader has not closed the descriptor yet: once closed, its number may
    /// already belong to another sandbox's socket.
    func close() {
        state.withLock { state in
            if !state.closed { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// Takes every message queued on the socket; at EOF (init has gone), ends the channel.
    private func receive(_ watch: Watch) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var fds = [Int32](repeating: -1, count: 4)
        while true {
            var received: Int32 = 0
            let n = buffer.withUnsafeMutableBytes { bytes in
                mlg_recv_message_nowait(fd, bytes.baseAddress, bytes.count, &fds, 4, &received)
            }
            if n == -Int(EAGAIN) { return }
            if n < MemoryLayout<mlg_msg>.size {
                watch.end()
                finish()
                return
            }
            let header = buffer.withUnsafeBytes { $0.loadUnaligned(as: mlg_msg.self) }
            handle(header, fd: received > 0 ? fds[0] : nil)
            if received > 1 { for index in 1..<Int(received) { Glibc.close(fds[index]) } }
        }
    }

    private func handle(_ header: mlg_msg, fd received: Int32?) {
        switch header.type {
        case UInt32(MLG_MSG_READY.rawValue):
            let ready = state.withLock { state in
                state.isReady = true
                defer { state.ready = nil }
                return state.ready
            }
            ready?.resume()
        case UInt32(MLG_MSG_SPAWNED.rawValue):
            let waiting = state.withLock { $0.pendingSpawns.removeValue(forKey: header.id) }
            waiting?.resume(returning: Spawned(requestID: header.id, pid: header.a, ptyMaster: received))
        case UInt32(MLG_MSG_FAILED.rawValue):
            let waiting = state.withLock { $0.pendingSpawns.removeValue(forKey: header.id) }
            let stage = Self.spawnStageName(header.a)
            waiting?.resume(throwing: SystemCall.error("cannot start the process in the sandbox at \(stage)", errno: header.b))
            if let received { Glibc.close(received) }
        case UInt32(MLG_MSG_EXITED.rawValue):
            let status = ExitStatus(waitStatus: header.b)
            let waiters = state.withLock { state in
                state.exits[header.id] = status
                return state.exitWaiters.removeValue(forKey: header.id) ?? []
            }
            for waiter in waiters { waiter.resume(returning: status) }
        default:
            if let received { Glibc.close(received) }
        }
    }

    private func finish() {
        let (ready, spawns, waiters) = state.withLock { state in
            state.closed = true
            Glibc.close(fd)
            defer {
                state.ready = nil
                state.pendingSpawns = [:]
                state.exitWaiters = [:]
            }
            return (state.ready, state.pendingSpawns, state.exitWaiters)
        }
        ready?.resume(throwing: MLGymError(.system, "mlgym-init exited before it was ready"))
        for (_, spawn) in spawns { spawn.resume(throwing: MLGymError(.invalidState, "the sandbox ended while starting a process")) }
        for (_, list) in waiters { for waiter in list { waiter.resume(returning: Self.killedWithSandbox) } }
        onClose()
    }

    static func spawnStageName(_ stage: Int32) -> String {
        switch UInt32(stage) {
        case MLG_SPAWN_STAGE_PROTOCOL.rawValue: "protocol"
        case MLG_SPAWN_STAGE_PTY.rawValue: "PTY allocation"
        case MLG_SPAWN_STAGE_FORK.rawValue: "fork()"
        case MLG_SPAWN_STAGE_STDIO.rawValue: "stdio set-up"
        case MLG_SPAWN_STAGE_CHDIR.rawValue: "chdir()"
        case MLG_SPAWN_STAGE_CAPBSET.rawValue: "capability bounding set"
        case MLG_SPAWN_STAGE_SETGROUPS.rawValue: "setgroups()"
        case MLG_SPAWN_STAGE_SETGID.rawValue: "setresgid()"
        case MLG_SPAWN_STAGE_SETUID.rawValue: "setresuid()"
        case MLG_SPAWN_STAGE_CAPS.rawValue: "capability drop"
        case MLG_SPAWN_STAGE_NO_NEW_PRIVS.rawValue: "PR_SET_NO_NEW_PRIVS"
        case MLG_SPAWN_STAGE_SECCOMP.rawValue: "seccomp()"
        case MLG_SPAWN_STAGE_EXEC.rawValue: "execve()"
        default: "stage \(stage)"
        }
    }
}
