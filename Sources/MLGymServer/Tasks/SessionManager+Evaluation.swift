import Foundation
import Glibc
import MLGymAPI
import MLGymCore
import MLGymSandbox
import MLGymScore
import MLGymStore
import MLGymTasks
import Synchronization

extension SessionManager {
    /// What asked for an evaluation; a submission (`submit`, `autosubmit`) is the session's last.
    enum EvaluationKind: String, CaseIterable {
        case validate, submit, autosubmit, baseline

        var isSubmission: Bool { self == .submit || self == .autosubmit }
    }

    /// Evaluates the session's artefact in a fresh evaluation sandbox and records the result before answering.
    /// One evaluation at a time per session; nothing after a submit (it is final).
    public func evaluate(_ reference: String, kind: String, for peer: PeerCredentials) async throws(MLGymError) -> EvaluationInfo {
        guard EvaluationKind(rawValue: kind) != nil else {
            throw MLGymError(.invalidArgument, "evaluation kind '\(kind)' must be validate, submit, autosubmit or baseline")
        }
        let record = try await resolve(reference, for: peer)
        let task = try taskOfRecord(record)
        guard let session = live[record.id] else {
            throw MLGymError(.invalidState, "session \(record.id) is \(record.state.rawValue), not running")
        }
        guard !evaluating.contains(record.id) else {
            throw MLGymError(.invalidState, "an evaluation of session \(record.id) is already running; wait for it")
        }
        evaluating.insert(record.id)
        defer { evaluating.remove(record.id) }
        let previous = try await store.evaluations.evaluations(record.id)
        if previous.contains(where: Self.isFinal) {
            throw MLGymError(.invalidState, "session \(record.id) has already submitted; a submission is final")
        }
        let probe = await tasks?.probe()
        let context = TaskEvaluator.Context(
            task: task, workspaceHostPath: session.sandbox.workspaceHostPath, identity: session.sandbox.spec.identity,
            agentHostUID: session.sandbox.agentHostUID,
            agentHostGID: engine.rootless ? getgid() : session.sandbox.spec.identity.gid, lifetime: session.evaluations,
            rootFilesystem: configuration.rootFilesystem, limits: session.sandbox.limits,
            gpus: session.sandbox.spec.gpus, hubCache: task.hubDatasets.isEmpty ? nil : tasks?.hubCache.directory,
            scratchDirectory: session.sandbox.scratchDirectory + "/evaluation-" + SandboxEngine.newID())
        let startedAt = Date()
        // Recorded as running first: a daemon killed during the evaluation leaves a row the next one closes.
        let evaluationID = try await store.evaluations.begin(sessionID: record.id, taskID: task.id, kind: kind, startedAt: startedAt)
        let outcome = await TaskEvaluator(engine: engine).evaluate(context)
        let stored = try await store.evaluations.finish(evaluationID, with: EvaluationRecord(
            sessionID: record.id, taskID: task.id, kind: kind, status: outcome.status.rawValue, startedAt: startedAt,
            finishedAt: Date(), durationMs: outcome.durationMs, metrics: outcome.metrics, artefactPath: outcome.artefactPath,
            artefactDigest: outcome.artefactDigest, rootfsIdentity: probe?.identity, message: outcome.message,
            output: outcome.output))
        if Self.isFinal(stored) { session.finalSubmission.withLock { $0 = stored } }
        DaemonLog.info("session \(record.id): \(kind) of task \(task.id) \(outcome.status.rawValue) in \(outcome.durationMs) ms")
        return Self.info(stored, task: task)
    }

    /// Every evaluation of the session, with MLGym's per-run Best Attempt and Submission values.
    public func evaluations(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> EvaluationList {
        let record = try await resolve(reference, for: peer)
        let task = try taskOfRecord(record)
        let stored = try await store.evaluations.evaluations(record.id)
        let agentRuns = stored.filter { $0.kind != EvaluationKind.baseline.rawValue && $0.status == EvaluationOutcome.Status.succeeded.rawValue }
        let run = RunRecord(
            id: record.id, task: task.id, method: "session", metric: task.config.rankingMetric ?? "",
            direction: task.config.metricDirection,
            evaluations: agentRuns.map { .init(kind: RunRecord.Evaluation.Kind(rawValue: $0.kind) ?? .validate, metrics: $0.metrics) })
        return EvaluationList(
            task: task.id, metric: task.config.rankingMetric, direction: task.config.metricDirection.rawValue,
            evaluations: stored.map { Self.info($0, task: task) }, bestAttempt: BestOf.bestAttempt(of: run),
            submission: BestOf.submission(of: run),
            submitted: stored.contains(where: Self.isFinal))
    }

    /// A submission ends the session's evaluations, unless mlgym (not the agent) failed to evaluate it.
    static func isFinal(_ record: EvaluationRecord) -> Bool {
        EvaluationKind(rawValue: record.kind)?.isSubmission == true && record.status != EvaluationOutcome.Status.error.rawValue
            && record.status != EvaluationRecord.runningStatus
    }

    /// The final submission of a session, from memory while it runs (an agent run asks after every step), else
    /// from the store.
    func finalSubmission(of sessionID: String) async -> EvaluationRecord? {
        if let session = live[sessionID] { return session.finalSubmission.withLock { $0 } }
        return (try? await store.evaluations.evaluations(sessionID))?.last(where: Self.isFinal)
    }

    /// The session's task, with its description (what the agent's tools show).
    func taskOfSession(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> TaskInfo {
        let record = try await resolve(reference, for: peer)
        let task = try taskOfRecord(record)
        guard let tasks else { throw MLGymError(.notFound, "this mlgymd has no tasks") }
        return try await tasks.describe(task.id)
    }

    private func taskOfRecord(_ record: SessionRecord) throws(MLGymError) -> BenchmarkTask {
        let spec = try? WireCoding.decoder().decode(SessionSpec.self, from: record.spec)
        guard let taskID = spec?.task else {
            throw MLGymError(.invalidState, "session \(record.id) has no task (start one with mlgymctl start --task ID)")
        }
        guard let tasks else { throw MLGymError(.notFound, "task \(taskID) is not installed in this mlgymd") }
        return try tasks.task(taskID)
    }

    /// The API's view of a stored evaluation, with what the agent is shown.
    static func info(_ record: EvaluationRecord, task: BenchmarkTask) -> EvaluationInfo {
        let baseline = task.config.baselineScores.first
        return EvaluationInfo(
            id: record.id, kind: record.kind, status: record.status, metrics: record.metrics, artefactPath: record.artefactPath,
            artefactDigest: record.artefactDigest, rootfsIdentity: record.rootfsIdentity, message: record.message,
            output: record.output, startedAt: record.startedAt, durationMs: record.durationMs, baseline: baseline,
            observation: observation(record, baseline: baseline))
    }

    /// MLGym's observation texts (§7 of the facts), so trajectories read the same.
    static func observation(_ record: EvaluationRecord, baseline: [String: Double]?) -> String {
        switch record.status {
        case "succeeded":
            let artefact = record.artefactPath ?? TaskEvaluator.workspacePath
            var lines = [
                "Your code produced a valid submission artefact at \(artefact).",
                "Baseline Score: " + (baseline.map(MetricsParser.pythonRepr) ?? "NA (no baseline was there)"),
                "Evaluation Score: " + MetricsParser.pythonRepr(record.metrics),
            ]
            if EvaluationKind(rawValue: record.kind)?.isSubmission == true { lines.append("Submitted: this evaluation is the session's final submission.") }
            return lines.joined(separator: "\n")
        case "artefact_missing":
            return "Submission artefact not found. You have to produce a valid submission artefact as described in the task description to validate your results."
                + (record.message.map { "\n(\($0))" } ?? "")
        case "failed" where record.message?.hasPrefix("the evaluation printed no metrics") == true:
            return "Failed to decode metrics from evaluation script. Output:\n---\n\(MetricsParser.tail(record.output))\n---\nPlease make sure the evaluation script prints the metrics in json format."
        default:
            return "Error: \(record.message ?? "the evaluation failed")"
        }
    }
}
