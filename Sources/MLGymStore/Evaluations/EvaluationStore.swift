import Foundation
internal import GRDB
import MLGymCore

/// Evaluations of sessions' artefacts. Each method is one transaction that has committed when it returns.
public final class EvaluationStore: Sendable {
    let store: Store

    init(store: Store) {
        self.store = store
    }

    /// Appends an evaluation; its output is truncated like an exec's.
    public func record(_ evaluation: EvaluationRecord) async throws(MLGymError) -> EvaluationRecord {
        let (metrics, output) = try columns(of: evaluation)
        return try await store.write("record an evaluation in session \(evaluation.sessionID)") { db in
            _ = try SessionStore.requireSession(db, id: evaluation.sessionID)
            try db.execute(
                sql: """
                    INSERT INTO evaluations (session_id, task_id, kind, status, started_at, finished_at, duration_ms,
                                             metrics, artefact_path, artefact_digest, rootfs_identity, message, output)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    evaluation.sessionID, evaluation.taskID, evaluation.kind, evaluation.status,
                    evaluation.startedAt.unixMilliseconds, evaluation.finishedAt.unixMilliseconds, max(0, evaluation.durationMs),
                    metrics, evaluation.artefactPath, evaluation.artefactDigest, evaluation.rootfsIdentity, evaluation.message,
                    output,
                ])
            var stored = evaluation
            stored.id = db.lastInsertedRowID
            stored.output = output
            stored.startedAt = Date(unixMilliseconds: evaluation.startedAt.unixMilliseconds)
            stored.finishedAt = Date(unixMilliseconds: evaluation.finishedAt.unixMilliseconds)
            return stored
        }
    }

    /// Records that an evaluation has begun (status `running`), so a daemon killed during it leaves a row that
    /// the next one can close (`closeInterrupted`). `finish` replaces the row with the outcome.
    public func begin(sessionID: String, taskID: String, kind: String, startedAt: Date) async throws(MLGymError) -> Int64 {
        try await store.write("record the start of an evaluation in session \(sessionID)") { db in
            _ = try SessionStore.requireSession(db, id: sessionID)
            try db.execute(
                sql: """
                    INSERT INTO evaluations (session_id, task_id, kind, status, started_at, finished_at, duration_ms)
                    VALUES (?, ?, ?, ?, ?, ?, 0)
                    """,
                arguments: [sessionID, taskID, kind, EvaluationRecord.runningStatus, startedAt.unixMilliseconds, startedAt.unixMilliseconds])
            return db.lastInsertedRowID
        }
    }

    /// Puts the outcome of the evaluation `begin` started into its row; returns the stored record.
    public func finish(_ id: Int64, with evaluation: EvaluationRecord) async throws(MLGymError) -> EvaluationRecord {
        let (metrics, output) = try columns(of: evaluation)
        return try await store.write("record the outcome of evaluation \(id) in session \(evaluation.sessionID)") { db in
            try db.execute(
                sql: """
                    UPDATE evaluations SET status = ?, finished_at = ?, duration_ms = ?, metrics = ?, artefact_path = ?,
                                           artefact_digest = ?, rootfs_identity = ?, message = ?, output = ?
                    WHERE id = ? AND session_id = ?
                    """,
                arguments: [
                    evaluation.status, evaluation.finishedAt.unixMilliseconds, max(0, evaluation.durationMs), metrics,
                    evaluation.artefactPath, evaluation.artefactDigest, evaluation.rootfsIdentity, evaluation.message, output,
                    id, evaluation.sessionID,
                ])
            guard db.changesCount == 1 else {
                throw MLGymError(.notFound, "evaluation \(id) of session \(evaluation.sessionID) is not recorded")
            }
            var stored = evaluation
            stored.id = id
            stored.output = output
            stored.startedAt = Date(unixMilliseconds: evaluation.startedAt.unixMilliseconds)
            stored.finishedAt = Date(unixMilliseconds: evaluation.finishedAt.unixMilliseconds)
            return stored
        }
    }

    /// Evaluations still `running` when a daemon starts were cut off by the previous one's end: recorded as
    /// `error` with `reason`. Returns how many.
    public func closeInterrupted(reason: String, at time: Date = Date()) async throws(MLGymError) -> Int {
        try await store.write("close evaluations interrupted by a restart") { db in
            try db.execute(
                sql: """
                    UPDATE evaluations SET status = 'error', message = ?, finished_at = max(started_at, ?),
                                           duration_ms = max(0, ? - started_at)
                    WHERE status = ?
                    """,
                arguments: [reason, time.unixMilliseconds, time.unixMilliseconds, EvaluationRecord.runningStatus])
            return db.changesCount
        }
    }

    /// The metrics as a JSON object and the output truncated like an exec's, as they are stored.
    private func columns(of evaluation: EvaluationRecord) throws(MLGymError) -> (metrics: String, output: String) {
        let metrics: String
        do {
            // Non-finite numbers are not JSON: leave them out rather than lose the record.
            metrics = String(decoding: try JSONEncoder().encode(evaluation.metrics.filter { $0.value.isFinite }), as: UTF8.self)
        } catch {
            throw MLGymError(.invalidArgument, "cannot encode the metrics of an evaluation in session \(evaluation.sessionID): \(error)")
        }
        return (metrics, OutputTruncation.truncate(evaluation.output, limitBytes: store.options.execOutputLimitBytes).text)
    }

    /// A session's evaluations in the order they ran.
    public func evaluations(_ sessionID: String) async throws(MLGymError) -> [EvaluationRecord] {
        try await store.read("read the evaluations of session \(sessionID)") { db in
            _ = try SessionStore.requireSession(db, id: sessionID)
            return try Row.fetchAll(
                db, sql: "SELECT \(EvaluationRecord.selection) FROM evaluations WHERE session_id = ? ORDER BY id",
                arguments: [sessionID]
            ).map(EvaluationRecord.init(row:))
        }
    }
}
