import CSandbox
import Foundation
import Glibc
import MLGymCore
import Synchronization

/// One long-lived bash in a PTY inside a sandbox, driven with framed commands: each `run` returns the command's
/// output (stdout and stderr as the terminal shows them) and its exit code.
///
/// Framing: at start the shell defines `__mlgym_run`, which evaluates its argument with stdin from /dev/null and
/// then prints `RS nonce-seq:status RS` (RS = 0x1E; seq numbers the commands, so a late frame of an earlier
/// command is never taken for the current one). Each command is sent as one line, `__mlgym_run seq $'…'`, with the
/// command ANSI-C quoted, then a guard line `__mlgym_end seq` that frames the command when `__mlgym_run` did not
/// (a `return` in it, or bash dropping the line after a failed fork), so multi-line commands, heredocs and quotes
/// need no parsing here and no process is forked for the framing (an `echo x` round trip takes about a tenth of a millisecond, most of it the PTY's
/// line discipline; see docs/sandbox.md). The terminal is in raw mode:
/// no echo, no line-length limit, no `\r\n` translation.
///
/// Timeouts interrupt the shell (so the rest of a command list does not run), kill the command's whole process
/// group (the terminal's foreground group, which job control gives each command) and return the output collected
/// so far, with exit code 124 when the shell had to be interrupted.
public final class PersistentShell: Sendable {
    public struct Result: Sendable, Equatable {
        public var output: String
        public var exitCode: Int32
        public var timedOut: Bool
        /// True when the time-out that struck was the one for silence (no output for `silenceTimeout`).
        public var timedOutSilent: Bool = false
        /// True when the output went past `outputLimit` and its middle was dropped (a marker says where).
        public var truncated: Bool
    }

    public let process: SandboxProcess
    private let master: Int32
    private let nonce: String
    private let shellHostPID: Int32
    private let outputLimit: Int
    private let state = Mutex(State())
    private let writing = Mutex(())
    private let use = ShellUseGate()
    private let sequence = Mutex(0)
    private let observers = Mutex<[UInt64: @Sendable ([UInt8]?) -> Void]>([:])
    private let nextObserver = Mutex<UInt64>(0)

    private struct State {
        var buffer: [UInt8] = []
        var dropped = 0
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
        /// `close()` callers waiting for the reader to close the terminal.
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
        /// A command's consumer holds the output: the terminal is left unread (see `OutputFlow`).
        var outputHeld = false
    }
    /// The terminal's watch in the event supervisor, to hold its output unread.
    private let readerWatch = Mutex<Watch?>(nil)

    private init(process: SandboxProcess, master: Int32, nonce: String, shellHostPID: Int32, outputLimit: Int) {
        self.process = process
        self.master = master
        self.nonce = nonce
        self.shellHostPID = shellHostPID
        self.outputLimit = outputLimit
    }

    /// Starts bash in `sandbox` and waits until it answers.
    public static func start(
        in sandbox: Sandbox, rows: UInt16 = 24, cols: UInt16 = 200, outputLimit: Int = 8 << 20
    ) async throws -> PersistentShell {
        let process = try await sandbox.spawn(
            ["/bin/bash", "--noprofile", "--norc", "--noediting", "-i"], environment: ["PS1": "", "PS2": "", "HISTFILE": ""],
            terminal: (rows, cols))
        guard let master = process.terminal else { throw MLGymError(.system, "the shell got no terminal") }
        var attributes = termios()
        tcgetattr(master, &attributes)
        cfmakeraw(&attributes)
        tcsetattr(master, TCSANOW, &attributes)
        // Non-blocking, so a write never waits on a terminal that is not taking input (see `sendBytes`).
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        let nonce = SandboxEngine.newID()
        let hostPID = sandbox.processIDs().first { Self.namespacePID(ofHostPID: $0) == process.pid } ?? -1
        let shell = PersistentShell(process: process, master: master, nonce: nonce, shellHostPID: hostPID, outputLimit: outputLimit)
        do {
            try shell.startReader()
        } catch {
            Glibc.close(master)
            process.signalGroup(SIGKILL)
            throw error
        }
        // stty runs as a job of the shell: bash then records raw mode as its own terminal state and restores
        // that (not its start-up state, which may still echo) after a job it had to kill.
        // An interactive bash announces `exit` on the terminal; the wrapper keeps that line out of the output.
        let setup = "stty raw -echo 2>/dev/null; set +H; PROMPT_COMMAND=; unset HISTFILE; "
            + "exit() { builtin exit \"$@\" 2>/dev/null; }; "
            + "__mlgym_run() { eval \"$2\" </dev/null; __mlgym_rc=$?; printf '\\036%s-%s:%d\\036' \(nonce) \"$1\" $__mlgym_rc; __mlgym_done=$1; }; "
            // The guard line after each command frames it when `__mlgym_run` never got to: a `return` in the
            // command leaves the function early, and bash drops the rest of an input line after a failed fork
            // ("fork: Interrupted system call" at the pids limit). It is a line of its own, so bash runs it.
            + "__mlgym_end() { __mlgym_rc=$?; [ \"$__mlgym_done\" = \"$1\" ] || { __mlgym_done=$1; printf '\\036%s-%s:%d\\036' \(nonce) \"$1\" $__mlgym_rc; }; }; "
            + "printf '\\036%s-0:%d\\036' \(nonce) 0\n"
        try shell.send(setup)
        let ready = try await shell.collect(sequence: 0, timeout: .seconds(10))
        guard !ready.timedOut else { throw MLGymError(.timeout, "the shell did not start within 10 s: \(ready.output)") }
        return shell
    }

    /// Runs `command` (any bash text, several lines allowed) and returns what it printed and its exit code.
    /// Commands run one at a time; a second caller waits its turn. While a terminal is attached
    /// (`beginInteractive`) the shell belongs to the person at it, and `run` fails with `.invalidState`.
    ///
    /// - Parameter onOutput: called with the command's output as it arrives (frames removed), on the event
    ///   supervisor's thread, which serves every sandbox: it must not block. The returned `Result` still holds all
    ///   of it.
    /// - Parameter flow: lets the consumer of `onOutput` hold the output when it falls behind (the terminal is
    ///   then not read, and the command waits on its writes).
    /// - Parameter silenceTimeout: the command is also stopped when it prints nothing for this long (an
    ///   interactive program waiting for input, a hung job); nil for no such limit.
    public func run(
        _ command: String, timeout: Duration? = nil, silenceTimeout: Duration? = nil,
        onOutput: (@Sendable ([UInt8]) -> Void)? = nil, flow: OutputFlow? = nil
    ) async throws -> Result {
        try await use.acquire(for: .command)
        defer { use.release() }
        return try await runFramed(command, timeout: timeout, silenceTimeout: silenceTimeout, onOutput: onOutput, flow: flow)
    }

    /// Runs `command` only if nobody has the shell now (no command running, no terminal attached); nil
    /// otherwise, at once. For the daemon's own short reads and writes of shell state.
    public func runIfIdle(_ command: String, timeout: Duration) async throws -> Result? {
        guard use.transition(from: .idle, to: .command) else { return nil }
        defer { use.release() }
        return try await runFramed(command, timeout: timeout, silenceTimeout: nil, onOutput: nil, flow: nil)
    }

    /// Whether a command (or a person at a terminal) has the shell now.
    public var isBusy: Bool { use.current != .idle }

    /// The shell's working directory as its process has it (for when the shell is busy and cannot be asked).
    public var workingDirectory: String? {
        guard shellHostPID > 0 else { return nil }
        return try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(shellHostPID)/cwd")
    }

    /// Runs `command`, then `epilogue` (a short, builtin-only snippet that reads state), sent together in one
    /// write so the epilogue costs no extra round trip; returns the command's result and the epilogue's output
    /// (nil when the command timed out: the interrupted shell may have dropped the epilogue, whose late frame the
    /// next command discards).
    public func run(
        _ command: String, timeout: Duration?, silenceTimeout: Duration?, epilogue: String
    ) async throws -> (result: Result, epilogue: String?) {
        try await use.acquire(for: .command)
        defer { use.release() }
        let number = sequence.withLock { value in
            value += 2
            return value - 1
        }
        try send("__mlgym_run \(number) " + Self.ansiQuoted(command) + "\n__mlgym_end \(number)\n__mlgym_run \(number + 1) " + Self.ansiQuoted(epilogue) + "\n__mlgym_end \(number + 1)\n")
        let result = try await collect(sequence: number, timeout: timeout, silenceTimeout: silenceTimeout)
        guard !result.timedOut, !hasEnded else { return (result, nil) }
        let after = try await collect(sequence: number + 1, timeout: .seconds(5))
        return (result, after.timedOut ? nil : after.output)
    }

    /// The nonce that marks this shell's frames (for a `ShellFrameFilter`).
    public var frameNonce: String { nonce }

    /// Whether the shell has ended (its terminal closed).
    public var hasEnded: Bool { state.withLock { $0.closed } }

    /// Whether a person has the shell (between `beginInteractive` and `endInteractive`).
    public var isInteractive: Bool { use.current == .interactive }

    /// Waits (without polling) until another terminal has made the shell interactive, for at most `limit`;
    /// returns whether it is.
    public func waitUntilInteractive(limit: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.use.waitUntilInteractive() }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
        return isInteractive
    }

    /// - Parameter guarded: follow the command with the `__mlgym_end` line (an agent's command); not for the
    ///   attach hand-overs, whose terminal then echoes what is typed.
    private func runFramed(
        _ command: String, timeout: Duration?, silenceTimeout: Duration? = nil, onOutput: (@Sendable ([UInt8]) -> Void)? = nil,
        flow: OutputFlow? = nil, guarded: Bool = true
    ) async throws -> Result {
        let number = sequence.withLock { value in
            value += 1
            return value
        }
        var observer: UInt64?
        if let onOutput {
            let filter = Mutex(ShellFrameFilter(nonce: nonce))
            observer = observe { chunk in
                let shown = filter.withLock { filter in chunk.map { filter.feed($0) } ?? filter.flush() }
                if !shown.isEmpty { onOutput(shown) }
            }
        }
        defer { if let observer { removeObserver(observer) } }
        if let flow {
            flow.connect { [weak self] held in self?.holdOutput(held) }
        }
        defer {
            if let flow {
                // A hold ends with its command: the next one starts with the terminal read.
                flow.disconnect()
                holdOutput(false)
            }
        }
        try send("__mlgym_run \(number) " + Self.ansiQuoted(command) + "\n" + (guarded ? "__mlgym_end \(number)\n" : ""))
        return try await collect(sequence: number, timeout: timeout, silenceTimeout: silenceTimeout)
    }

    // MARK: Observers and attached terminals

    /// Calls `handler` with every piece of terminal output as it arrives (frames included), and with nil once
    /// when the terminal closes. Returns a token for `removeObserver`.
    public func observe(_ handler: @escaping @Sendable ([UInt8]?) -> Void) -> UInt64 {
        let id = nextObserver.withLock { value in
            value += 1
            return value
        }
        observers.withLock { $0[id] = handler }
        if hasEnded { handler(nil) }
        return id
    }

    public func removeObserver(_ id: UInt64) {
        _ = observers.withLock { $0.removeValue(forKey: id) }
    }

    /// Hands the shell to a person: waits for a running command to finish, then gives the terminal echo, line
    /// editing by the terminal driver and a prompt. `exec` is refused until `endInteractive`.
    public func beginInteractive(rows: UInt16, cols: UInt16) async throws {
        try await use.acquire(for: .interactive)
        do {
            resize(rows: rows, cols: cols)
            let result = try await runFramed(
                "stty sane <&2; PS1='\\u@\\h:\\w\\$ '; PS2='> '; set -o ignoreeof", timeout: .seconds(5), guarded: false)
            if result.timedOut { throw MLGymError(.timeout, "the session's shell did not answer within 5 s") }
        } catch {
            use.release()
            throw error
        }
    }

    /// Gives the shell back to the agent: discards a half-typed line, interrupts a command still in the
    /// foreground, restores raw mode without echo and the agent's window size.
    public func endInteractive(rows: UInt16 = 24, cols: UInt16 = 200) async {
        // Only a shell that a person has: a failed `beginInteractive` left nothing to undo.
        guard use.transition(from: .interactive, to: .releasing) else { return }
        defer { use.release() }
        for _ in 0..<3 {
            // ctrl-U empties the line the terminal driver is collecting, so the restore command starts clean.
            try? sendBytes([0x15])
            guard let result = try? await runFramed(
                "stty raw -echo <&2; PS1=; PS2=; set +o ignoreeof", timeout: .seconds(2), guarded: false)
            else { return }
            if !result.timedOut { break }
        }
        resize(rows: rows, cols: cols)
    }

    /// Types `bytes` at the terminal (only while interactive).
    public func writeInput(_ bytes: [UInt8]) throws(MLGymError) {
        guard use.current == .interactive else {
            throw MLGymError(.invalidState, "the shell is not attached")
        }
        try sendBytes(bytes)
    }

    /// Sets the terminal's window size; the shell and its foreground job get SIGWINCH.
    public func resize(rows: UInt16, cols: UInt16) {
        state.withLock { state in
            if !state.closed { _ = mlg_set_winsize(master, rows, cols) }
        }
    }

    /// Ends the shell (SIGHUP, as a closing terminal would) and releases the terminal.
    public func close() async {
        process.signalGroup(SIGHUP)
        process.signalGroup(SIGKILL)
        _ = await process.wait()
        // The reader sees EIO once the last slave descriptor is gone, and closes the master.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let closed = state.withLock { state in
                if !state.closed { state.closeWaiters.append(continuation) }
                return state.closed
            }
            if closed { continuation.resume() }
        }
    }

    // MARK: Framing

    /// Quotes `text` as a bash ANSI-C string ($'…'), so it arrives as one line whatever it contains.
    /// Bytes of multi-byte UTF-8 characters pass through unchanged; control characters become \xHH.
    public static func ansiQuoted(_ text: String) -> String {
        var result = "$'"
        var pending: [UInt8] = []
        func flush() {
            if !pending.isEmpty {
                result += String(decoding: pending, as: UTF8.self)
                pending = []
            }
        }
        for byte in text.utf8 {
            if byte >= 0x80 {
                pending.append(byte)
                continue
            }
            flush()
            switch byte {
            case UInt8(ascii: "\\"): result += "\\\\"
            case UInt8(ascii: "'"): result += "\\'"
            case UInt8(ascii: "\n"): result += "\\n"
            case UInt8(ascii: "\t"): result += "\\t"
            case 0..<0x20, 0x7F: result += String(format: "\\x%02x", byte)
            default: result += String(UnicodeScalar(byte))
            }
        }
        flush()
        return result + "'"
    }

    /// Finds `RS marker:status RS` in `buffer` (marker = nonce-seq); returns the output before it and the status.
    /// Only from `lowerBound` on: what lies before was searched already (a command's output is searched once,
    /// not on every wake-up, or a long output would cost quadratic time).
    static func findSentinel(in buffer: [UInt8], nonce: String, from lowerBound: Int = 0) -> (outputEnd: Int, status: Int32, end: Int)? {
        let marker = [0x1E] + Array(nonce.utf8) + [UInt8(ascii: ":")]
        guard buffer.count >= marker.count + 2 else { return nil }
        var index = buffer.count - 1
        // The sentinel is always at the end of what the shell has written; search backwards from the end.
        while index >= max(0, lowerBound) {
            if buffer[index] == 0x1E, index + marker.count <= buffer.count,
               Array(buffer[index..<(index + marker.count)]) == marker {
                let digitsStart = index + marker.count
                guard let close = buffer[digitsStart...].firstIndex(of: 0x1E) else { return nil }
                let digits = String(decoding: buffer[digitsStart..<close], as: UTF8.self)
                guard let status = Int32(digits) else { return nil }
                return (index, status, close + 1)
            }
            index -= 1
        }
        return nil
    }

    // MARK: I/O

    /// Writes to the terminal, only while the reader has not closed it (a closed descriptor's number may
    /// already be someone else's).
    private func send(_ text: String) throws(MLGymError) {
        try sendBytes(Array(text.utf8))
    }

    /// Writes to the terminal without holding `state`: the reader must keep draining output (a terminal that
    /// echoes a large paste fills its output before it takes more input). `writing` keeps the reader from
    /// closing the descriptor under a write, and a terminal that takes nothing for 2 s fails the write rather
    /// than hold a thread.
    private func sendBytes(_ bytes: [UInt8]) throws(MLGymError) {
        let failure: Int32? = writing.withLock { _ in
            if state.withLock({ $0.closed }) { return EPIPE }
            var offset = 0
            let deadline = ContinuousClock.now + .seconds(2)
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
                if n > 0 {
                    offset += n
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                guard n < 0 && errno == EAGAIN, ContinuousClock.now < deadline else { return n < 0 ? errno : EIO }
                var ready = pollfd(fd: master, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, 50)
            }
            return nil
        }
        if let failure { throw SystemCall.error("cannot write to the shell's terminal", errno: failure) }
    }

    private func collect(sequence: Int, timeout: Duration?, silenceTimeout: Duration? = nil) async throws -> Result {
        let marker = "\(nonce)-\(sequence)"
        let totalDeadline = timeout.map { ContinuousClock.now + $0 }
        var deadline = totalDeadline
        var interruptedAt: ContinuousClock.Instant?
        // The silence deadline moves on whenever output arrives; `silent` says which deadline struck.
        var lastSeen = -1
        var silent = false
        var closedFrame = false
        var searched = 0
        // One timer for the whole command, moved as its deadline moves: a sleeping task per wait would be
        // one per piece of output, each kept by the runtime until its deadline even when cancelled.
        let alarm = ShellAlarm { [weak self] in self?.wakeWaiter() }
        defer { alarm.cancel() }
        while true {
            // Look for the frame and note how much was seen under one lock: data arriving in between must wake
            // the wait below, or the frame could be missed forever.
            var seen = 0
            let found: Result? = state.withLock { state in
                // Search what arrived since the last look, plus enough before it for a frame cut in two.
                let fresh = state.buffer.count + state.dropped - searched
                let from = state.buffer.count - fresh - (marker.utf8.count + 32)
                guard let sentinel = Self.findSentinel(in: state.buffer, nonce: marker, from: from) else {
                    seen = state.buffer.count + state.dropped
                    return nil
                }
                let output = Self.removingFrames(of: nonce, from: Array(state.buffer[0..<sentinel.outputEnd]))
                let truncated = state.dropped > 0
                let text = truncated
                    ? String(decoding: output.prefix(outputLimit / 2), as: UTF8.self)
                        + "\n[... \(state.dropped) bytes of output dropped by mlgym ...]\n"
                        + String(decoding: output.dropFirst(outputLimit / 2), as: UTF8.self)
                    : String(decoding: output, as: UTF8.self)
                state.buffer.removeFirst(sentinel.end)
                if state.buffer.isEmpty && state.buffer.capacity > Self.idleCapacity {
                    // A large output grew the buffer to `outputLimit`: give that memory back between commands.
                    state.buffer = []
                }
                state.dropped = 0
                return Result(output: text, exitCode: sentinel.status, timedOut: false, truncated: truncated)
            }
            if var result = found {
                result.timedOut = interruptedAt != nil
                // Interrupted: 124 as timeout(1) says, whichever line of the shell's framed the end.
                if interruptedAt != nil { result.exitCode = 124 }
                result.timedOutSilent = interruptedAt != nil && silent
                return result
            }
            if state.withLock({ $0.closed }) {
                // The command ended the shell (`exit 3`): its status is the shell's; the next command needs a
                // new shell (`hasEnded` says so).
                let output = state.withLock { state in
                    defer { state.buffer = [] }
                    return Self.removingFrames(of: nonce, from: state.buffer)
                }
                let status = await process.wait()
                return Result(output: String(decoding: output, as: UTF8.self), exitCode: status.code, timedOut: interruptedAt != nil, timedOutSilent: interruptedAt != nil && silent, truncated: false)
            }
            if let silenceTimeout, interruptedAt == nil, seen != lastSeen {
                lastSeen = seen
                let silenceDeadline = ContinuousClock.now + silenceTimeout
                silent = totalDeadline.map { silenceDeadline < $0 } ?? true
                deadline = silent ? silenceDeadline : totalDeadline
            }
            var wakeUp = deadline
            if let deadline, ContinuousClock.now >= deadline {
                if let interruptedAt {
                    if !closedFrame, ContinuousClock.now - interruptedAt > .milliseconds(300) {
                        // The shell abandoned the command without printing its frame: close it ourselves.
                        closedFrame = true
                        try send("printf '\\036%s:%d\\036' \(marker) 124\n")
                    }
                } else {
                    interruptedAt = .now
                    interruptAndKill()
                }
                wakeUp = .now + .milliseconds(100)
            }
            searched = seen
            alarm.set(wakeUp)
            await waitForData(until: wakeUp, afterSeeing: seen)
        }
    }

    /// How far past `outputLimit` the buffer may grow before its middle is cut: an eighth of the limit.
    static func trimSlack(_ outputLimit: Int) -> Int { max(4096, outputLimit / 8) }

    /// The buffer capacity kept between commands; more is released.
    static let idleCapacity = 256 << 10

    /// Frames of earlier commands (late or doubled after a timeout) are not output: drop them.
    static func removingFrames(of nonce: String, from bytes: [UInt8]) -> [UInt8] {
        let start = [0x1E] + Array(nonce.utf8) + [UInt8(ascii: "-")]
        guard bytes.contains(0x1E) else { return bytes }
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x1E, index + start.count <= bytes.count, Array(bytes[index..<(index + start.count)]) == start,
               let close = bytes[(index + start.count)...].firstIndex(of: 0x1E) {
                index = close + 1
                continue
            }
            result.append(bytes[index])
            index += 1
        }
        return result
    }

    /// SIGINT to the shell first, so it abandons the rest of the command list (and any builtin loop); then
    /// SIGKILL to the command's process group.
    private func interruptAndKill() {
        // Only while the terminal is open: after the shell is gone its pid and the descriptor may be reused.
        let group = state.withLock { $0.closed ? -1 : mlg_foreground_pgrp(master) }
        guard group != -1 else { return }
        if shellHostPID > 0 { kill(shellHostPID, SIGINT) }
        if group > 0 && group != shellHostPID { kill(-group, SIGKILL) }
    }

    /// Waits until the reader appends data, or until `deadline` (when `alarm`, set to the same deadline, wakes
    /// it). One continuation, no task: this is the hot path of every command, woken once per piece of output.
    private func waitForData(until deadline: ContinuousClock.Instant?, afterSeeing seen: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.closed || state.buffer.count + state.dropped != seen { return true }
                // An alarm that rang before this wait began must not be lost.
                if let deadline, ContinuousClock.now >= deadline { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Resumes the command's wait, if one is waiting (the alarm's handler).
    private func wakeWaiter() {
        let waiter = state.withLock { state in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Watches the terminal with the process's `EventSupervisor`: each time it is readable, what is there is
    /// taken; at its end (the shell exited: EIO from a PTY master), the terminal is closed.
    private func startReader() throws(MLGymError) {
        let watch = try EventSupervisor.shared.watch(master) { [self] watch, readiness in
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                // Held (the consumer is behind): leave the rest in the kernel, unless the shell has gone.
                if !readiness.hungUp && state.withLock({ $0.outputHeld }) { return }
                let n = chunk.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && errno == EAGAIN { return }
                if n <= 0 { break }
                take(chunk[0..<n])
            }
            watch.end()
            readerEnded()
        }
        readerWatch.withLock { $0 = watch }
    }

    /// Leaves the terminal unread while `held`, or reads it again.
    private func holdOutput(_ held: Bool) {
        state.withLock { $0.outputHeld = held }
        readerWatch.withLock { $0 }?.setPaused(held)
    }

    /// Hands a piece of output to the observers and the command waiting for it.
    private func take(_ piece: ArraySlice<UInt8>) {
        // Observers first: a command's stream must have its last piece before `run` sees the frame, returns and
        // removes its observer.
        let copy = Array(piece)
        for handler in observers.withLock({ Array($0.values) }) { handler(copy) }
        let waiter = state.withLock { state in
            state.buffer += piece
            if state.buffer.count > outputLimit + Self.trimSlack(outputLimit) {
                // Keep the head and the tail (the sentinel is at the tail); drop the middle. Trimmed once per
                // `trimSlack` bytes, not per piece: each trim moves the whole tail.
                let excess = state.buffer.count - outputLimit
                let start = outputLimit / 2
                state.buffer.removeSubrange(start..<(start + excess))
                state.dropped += excess
            }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The shell's terminal has ended: close it and wake everyone waiting.
    private func readerEnded() {
        let (waiter, closeWaiters) = writing.withLock { _ in
            state.withLock { state in
                Glibc.close(master)
                state.closed = true
                defer {
                    state.waiter = nil
                    state.closeWaiters = []
                }
                return (state.waiter, state.closeWaiters)
            }
        }
        waiter?.resume()
        for closeWaiter in closeWaiters { closeWaiter.resume() }
        for handler in observers.withLock({ Array($0.values) }) { handler(nil) }
    }

    /// The pid a host process has inside its own pid namespace (the last NSpid field of /proc/PID/status).
    static func namespacePID(ofHostPID pid: Int32) -> Int32? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("NSpid:") }),
              let last = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).last
        else { return nil }
        return Int32(last)
    }
}
