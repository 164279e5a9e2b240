import Foundation
import MLGymCore

/// `POST /v1/sessions/{id}/evaluations`: evaluate the session's artefact now.
public struct EvaluationRequest: Codable, Sendable, Equatable {
    /// `validate` (any number of times), `submit` (final: no evaluation after it), or `baseline` (what
    /// `mlgymctl baseline` records after running the task's baseline script).
    public var kind: String
    public init(kind: String) { self.kind = kind }
}

/// One evaluation of a session's artefact.
public struct EvaluationInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var kind: String
    /// `succeeded`, `artefact_missing`, `failed` or `timed_out`.
    public var status: String
    public var metrics: [String: Double]
    public var artefactPath: String?
    public var artefactDigest: String?
    public var rootfsIdentity: String?
    public var message: String?
    /// The tail of the evaluation's output.
    public var output: String
    public var startedAt: Date
    public var durationMs: Int64
    /// The task's recorded baseline metrics, for comparison.
    public var baseline: [String: Double]?
    /// What the agent is shown (MLGym's wording where MLGym has one).
    public var observation: String

    public init(
        id: Int64, kind: String, status: String, metrics: [String: Double], artefactPath: String?, artefactDigest: String?,
        rootfsIdentity: String?, message: String?, output: String, startedAt: Date, durationMs: Int64,
        baseline: [String: Double]?, observation: String
    ) {
        self.id = id
        self.kind = kind
        self.status = status
        self.metrics = metrics
        self.artefactPath = artefactPath
        self.artefactDigest = artefactDigest
        self.rootfsIdentity = rootfsIdentity
        self.message = message
        self.output = output
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.baseline = baseline
        self.observation = observation
    }

    public var succeeded: Bool { status == "succeeded" }
}

/// `GET /v1/sessions/{id}/evaluations`: every evaluation, and MLGym's two per-run scores.
public struct EvaluationList: Codable, Sendable, Equatable {
    public var task: String
    public var metric: String?
    public var direction: String
    public var evaluations: [EvaluationInfo]
    /// The best value of the metric over every evaluation that has it (MLGym's Best Attempt of a run).
    public var bestAttempt: Double?
    /// The metric of the last evaluation that has it (MLGym's Best Submission of a run).
    public var submission: Double?
    /// Whether the session has submitted (after which it accepts no evaluation).
    public var submitted: Bool

    public init(
        task: String, metric: String?, direction: String, evaluations: [EvaluationInfo], bestAttempt: Double?,
        submission: Double?, submitted: Bool
    ) {
        self.task = task
        self.metric = metric
        self.direction = direction
        self.evaluations = evaluations
        self.bestAttempt = bestAttempt
        self.submission = submission
        self.submitted = submitted
    }
}
