import Foundation

/// What one evaluation of an agent's artefact came to.
public struct EvaluationOutcome: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// The evaluation printed metrics.
        case succeeded
        /// The artefact the task asks for is not in the workspace (MLGym's `submission_not_found`).
        case artefactMissing = "artefact_missing"
        /// The evaluation failed or printed no metrics (MLGym's `evaluation_format_error`).
        case failed
        /// The evaluation ran past the task's training_timeout and was killed.
        case timedOut = "timed_out"
        /// mlgym could not evaluate (the session ended meanwhile, a sandbox could not be built, the disk is
        /// full): not the agent's doing, so it is not held against the session (a submit that ends this way
        /// is not final).
        case error
    }

    public var status: Status
    public var metrics: [String: Double]
    /// The artefact as the agent sees it (`/home/agent/workspace/submission.csv`), when the task names one.
    public var artefactPath: String?
    /// SHA-256 of the artefact (a file's bytes, or a directory's sorted names and contents).
    public var artefactDigest: String?
    /// Why it did not succeed, in one paragraph a person (or an agent) can act on.
    public var message: String?
    /// The evaluation's output (stdout, then stderr), its tail only.
    public var output: String
    public var durationMs: Int64

    public init(
        status: Status, metrics: [String: Double] = [:], artefactPath: String? = nil, artefactDigest: String? = nil,
        message: String? = nil, output: String = "", durationMs: Int64 = 0
    ) {
        self.status = status
        self.metrics = metrics
        self.artefactPath = artefactPath
        self.artefactDigest = artefactDigest
        self.message = message
        self.output = output
        self.durationMs = durationMs
    }
}
