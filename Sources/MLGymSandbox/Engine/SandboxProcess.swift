import Glibc

/// A process started in a sandbox by mlgym-init. It leads its own session and process group.
public struct SandboxProcess: Sendable {
    /// Its pid as the sandbox sees it.
    public let pid: Int32
    /// The PTY master (daemon side) when started with a terminal; stdin and stdout then both go through it.
    public let terminal: Int32?
    /// The write end of its stdin, the read ends of its stdout and stderr, when started without a terminal.
    public let standardInput: Int32?
    public let standardOutput: Int32?
    public let standardError: Int32?
    let requestID: UInt32
    let channel: InitChannel

    /// Waits until it ends. A process still running when the sandbox stops ends as `.signaled(SIGKILL)`.
    public func wait() async -> ExitStatus {
        await channel.waitForExit(requestID: requestID)
    }

    /// Signals its whole process group (it and everything it started that did not leave the group).
    public func signalGroup(_ signal: Int32) {
        channel.signal(pid: -pid, signal: signal)
    }
}

/// What `Sandbox.run` collected.
public struct ProcessResult: Sendable {
    public var status: ExitStatus
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]
    /// True when the timeout ran out and the process group was killed.
    public var timedOut: Bool

    public var output: String { String(decoding: standardOutput, as: UTF8.self) }
    public var errorOutput: String { String(decoding: standardError, as: UTF8.self) }
}
