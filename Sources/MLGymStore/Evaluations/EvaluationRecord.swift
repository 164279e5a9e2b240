import Foundation
internal import GRDB

/// One evaluation, as the daemon hands it to the store (`id` 0) and gets it back.
public struct EvaluationRecord: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var sessionID: String
    public var taskID: String
    /// `validate`, `submit`, `autosubmit` or `baseline`.
    public var kind: String
    /// `succeeded`, `artefact_missing`, `failed`, `timed_out` or `error`; `running` while it runs.
    public var status: String

    /// The status of an evaluation that has begun and not yet finished.
    public static let runningStatus = "running"
    public var startedAt: Date
    public var finishedAt: Date
    public var durationMs: Int64
    public var metrics: [String: Double]
    public var artefactPath: String?
    public var artefactDigest: String?
    public var rootfsIdentity: String?
    public var message: String?
    public var output: String

    public init(
        id: Int64 = 0, sessionID: String, taskID: String, kind: String, status: String, startedAt: Date,
        finishedAt: Date, durationMs: Int64, metrics: [String: Double], artefactPath: String? = nil,
        artefactDigest: String? = nil, rootfsIdentity: String? = nil, message: String? = nil, output: String = ""
    ) {
        self.id = id
        self.sessionID = sessionID
        self.taskID = taskID
        self.kind = kind
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMs = durationMs
        self.metrics = metrics
        self.artefactPath = artefactPath
        self.artefactDigest = artefactDigest
        self.rootfsIdentity = rootfsIdentity
        self.message = message
        self.output = output
    }

    static let selection = """
        id, session_id, task_id, kind, status, started_at, finished_at, duration_ms, metrics, artefact_path, \
        artefact_digest, rootfs_identity, message, output
        """

    init(row: Row) throws {
        let metricsText: String = try row.decode(forColumn: "metrics")
        self.init(
            id: try row.decode(forColumn: "id"), sessionID: try row.decode(forColumn: "session_id"),
            taskID: try row.decode(forColumn: "task_id"), kind: try row.decode(forColumn: "kind"),
            status: try row.decode(forColumn: "status"),
            startedAt: Date(unixMilliseconds: try row.decode(forColumn: "started_at")),
            finishedAt: Date(unixMilliseconds: try row.decode(forColumn: "finished_at")),
            durationMs: try row.decode(forColumn: "duration_ms"),
            metrics: (try? JSONDecoder().decode([String: Double].self, from: Data(metricsText.utf8))) ?? [:],
            artefactPath: try row.decode(forColumn: "artefact_path"),
            artefactDigest: try row.decode(forColumn: "artefact_digest"),
            rootfsIdentity: try row.decode(forColumn: "rootfs_identity"),
            message: try row.decode(forColumn: "message"), output: try row.decode(forColumn: "output"))
    }
}
