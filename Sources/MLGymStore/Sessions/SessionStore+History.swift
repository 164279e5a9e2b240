import Foundation
internal import GRDB
import MLGymCore

extension SessionStore {
    /// Appends a finished command to the session's exec history, its output truncated to
    /// `Store.Options.execOutputLimitBytes` (head and tail kept, see `OutputTruncation`).
    public func recordExec(_ exec: NewExec) async throws(MLGymError) -> ExecRecord {
        let insert = try execInsertion(exec)
        return try await store.write("record an exec in session \(exec.sessionID)", insert)
    }

    /// The insertion of `exec` into the history, to run inside a write transaction (its own, or a run step's).
    func execInsertion(_ exec: NewExec) throws(MLGymError) -> @Sendable (Database) throws -> ExecRecord {
        let truncated = OutputTruncation.truncate(exec.output, limitBytes: store.options.execOutputLimitBytes)
        let commandJSON: String
        do {
            commandJSON = String(decoding: try JSONEncoder().encode(exec.command), as: UTF8.self)
        } catch {
            throw MLGymError(.invalidArgument, "cannot encode the command of an exec in session \(exec.sessionID): \(error)")
        }
        return { db in
            _ = try Self.requireSession(db, id: exec.sessionID)
            try db.execute(
                sql: """
                    INSERT INTO exec_history (session_id, command, exit_code, signal, timed_out, started_at, finished_at,
                                              duration_ms, output, output_bytes_dropped)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    exec.sessionID, commandJSON, exec.exitCode.map { Int64($0) }, exec.signal.map { Int64($0) }, exec.timedOut,
                    exec.startedAt.unixMilliseconds, exec.finishedAt.unixMilliseconds, max(0, exec.durationMs),
                    truncated.text, truncated.droppedBytes,
                ]
            )
            return ExecRecord(
                id: db.lastInsertedRowID, sessionID: exec.sessionID, command: exec.command, exitCode: exec.exitCode,
                signal: exec.signal, timedOut: exec.timedOut,
                startedAt: Date(unixMilliseconds: exec.startedAt.unixMilliseconds),
                finishedAt: Date(unixMilliseconds: exec.finishedAt.unixMilliseconds),
                durationMs: max(0, exec.durationMs), output: truncated.text, outputBytesDropped: truncated.droppedBytes
            )
        }
    }

    /// The session's commands in the order they ran; with `limit`, only the most recent `limit` of them.
    public func execHistory(_ sessionID: String, limit: Int? = nil) async throws(MLGymError) -> [ExecRecord] {
        try await store.read("read the exec history of session \(sessionID)") { db in
            _ = try Self.requireSession(db, id: sessionID)
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT \(ExecRecord.selection) FROM exec_history WHERE session_id = ? ORDER BY id DESC LIMIT ?",
                arguments: [sessionID, limit.map { max(0, $0) } ?? -1]
            )
            return try rows.reversed().map(ExecRecord.init(row:))
        }
    }

    /// Appends an event (an OOM kill, a time limit, init exiting) to the session.
    /// `details` must be JSON (an object by convention).
    public func recordEvent(
        _ sessionID: String, kind: EventKind, details: Data = Data("{}".utf8), time: Date = Date()
    ) async throws(MLGymError) -> EventRecord {
        guard (try? JSONSerialization.jsonObject(with: details, options: [.fragmentsAllowed])) != nil else {
            throw MLGymError(.invalidArgument, "cannot record a \(kind) event in session \(sessionID): its details are not valid JSON")
        }
        let time = Date(unixMilliseconds: time.unixMilliseconds)
        return try await store.write("record a \(kind) event in session \(sessionID)") { db in
            _ = try Self.requireSession(db, id: sessionID)
            try db.execute(
                sql: "INSERT INTO events (session_id, time, kind, details) VALUES (?, ?, ?, ?)",
                arguments: [sessionID, time.unixMilliseconds, kind.rawValue, String(decoding: details, as: UTF8.self)]
            )
            return EventRecord(id: db.lastInsertedRowID, sessionID: sessionID, time: time, kind: kind, details: details)
        }
    }

    /// The session's events in the order they were recorded.
    public func events(_ sessionID: String) async throws(MLGymError) -> [EventRecord] {
        try await store.read("read the events of session \(sessionID)") { db in
            _ = try Self.requireSession(db, id: sessionID)
            return try Row.fetchAll(
                db, sql: "SELECT \(EventRecord.selection) FROM events WHERE session_id = ? ORDER BY id", arguments: [sessionID]
            ).map(EventRecord.init(row:))
        }
    }
}
