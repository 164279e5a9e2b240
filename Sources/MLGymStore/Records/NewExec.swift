import Foundation

/// A finished command, as the daemon reports it to the store. The store truncates `output` and assigns the id.
public struct NewExec: Sendable, Equatable {
    public var sessionID: String
    /// The argv (or, for the persistent shell, a one-element array with the command line).
    public var command: [String]
    /// nil when the command was killed by a signal or did not finish.
    public var exitCode: Int32?
    /// The signal that ended the command, if one did.
    public var signal: Int32?
    /// Whether mlgym killed it for running past its time limit.
    public var timedOut: Bool
    public var startedAt: Date
    public var finishedAt: Date
    /// Measured on a monotonic clock by the daemon; wall-clock differences can run backwards.
    public var durationMs: Int64
    /// All the output collected (stdout and stderr interleaved, as the PTY delivered it).
    public var output: String

    /// `durationMs` defaults to the wall-clock difference when the caller has no monotonic measurement.
    public init(
        sessionID: String, command: [String], exitCode: Int32?, signal: Int32? = nil, timedOut: Bool = false,
        startedAt: Date, finishedAt: Date, durationMs: Int64? = nil, output: String
    ) {
        self.sessionID = sessionID
        self.command = command
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMs = durationMs ?? max(0, finishedAt.unixMilliseconds - startedAt.unixMilliseconds)
        self.output = output
    }
}
