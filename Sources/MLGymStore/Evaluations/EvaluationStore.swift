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
        let metrics: String
        do {
            // Non-finite numbers are not JSON: leave them out rather than lose the record.
            metrics = String(decoding: try JSONEncoder().encode(evaluation.metrics.filter { $0.value.isFinite }), as: UTF8.self)
        } catch {
            throw MLGymError(.invalidArgument, "cannot encode the metrics of an evaluation in session \(evaluation.sessionID): \(error)")
        }
        let output = OutputTruncation.truncate(evaluation.output, limitBytes: store.options.execOutputLimitBytes).text
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
