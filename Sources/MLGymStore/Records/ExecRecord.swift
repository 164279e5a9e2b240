import Foundation
internal import GRDB
import MLGymCore

/// One row of `exec_history`: a command run in a session, with its outcome and its (truncated) output.
public struct ExecRecord: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var sessionID: String
    public var command: [String]
    public var exitCode: Int32?
    public var signal: Int32?
    public var timedOut: Bool
    public var startedAt: Date
    public var finishedAt: Date
    public var durationMs: Int64
    /// At most the store's `execOutputLimitBytes` of the original, plus the truncation marker.
    public var output: String
    /// How many bytes of the original output the truncation dropped (0 if none).
    public var outputBytesDropped: Int
}

extension ExecRecord {
    static let selection = """
        id, session_id, command, exit_code, signal, timed_out, started_at, finished_at, duration_ms, output,
        output_bytes_dropped
        """

    init(row: Row) throws {
        let commandJSON: String = try row.decode(forColumn: "command")
        let command: [String]
        do {
            command = try JSONDecoder().decode([String].self, from: Data(commandJSON.utf8))
        } catch {
            throw MLGymError(.parse, "exec history row has a command that is not a JSON array of strings: \(commandJSON)")
        }
        let exitCode: Int64? = try row.decode(forColumn: "exit_code")
        let signal: Int64? = try row.decode(forColumn: "signal")
        self.init(
            id: try row.decode(forColumn: "id"),
            sessionID: try row.decode(forColumn: "session_id"),
            command: command,
            exitCode: exitCode.map { Int32(truncatingIfNeeded: $0) },
            signal: signal.map { Int32(truncatingIfNeeded: $0) },
            timedOut: try row.decode(forColumn: "timed_out"),
            startedAt: Date(unixMilliseconds: try row.decode(forColumn: "started_at")),
            finishedAt: Date(unixMilliseconds: try row.decode(forColumn: "finished_at")),
            durationMs: try row.decode(forColumn: "duration_ms"),
            output: try row.decode(forColumn: "output"),
            outputBytesDropped: try row.decode(forColumn: "output_bytes_dropped")
        )
    }
}
