import Foundation
import Glibc
import MLGymAPI
import MLGymCore
import MLGymSandbox
import MLGymScore
import MLGymStore
import MLGymTasks
import Synchronization

/// Runs and records the evaluations of task sessions: one at a time per session, none after a submission (it is
/// final), each recorded as running before it starts (a daemon killed meanwhile leaves a row the next one closes)
/// and finished before the caller gets its answer.
///
/// The session manager finds and authorises the session; this type does the rest, so evaluation rules live in
/// one place that the API, the agent socket and agent runs share.
final class EvaluationCoordinator: Sendable {
    private let store: Store
    private let engine: SandboxEngine
    private let rootFilesystem: SandboxSpec.RootFilesystem
    private let tasks: TaskCatalog?
    /// Sessions with an evaluation in progress.
    private let evaluating = Mutex<Set<String>>([])

    init(store: Store, engine: SandboxEngine, rootFilesystem: SandboxSpec.RootFilesystem, tasks: TaskCatalog?) {
        self.store = store
        self.engine = engine
        self.rootFilesystem = rootFilesystem
        self.tasks = tasks
    }

    /// Evaluates the artefact of running session `sessionID` (its sandbox is `session`) in a fresh evaluation
    /// sandbox and records the result before answering.
    func evaluate(sessionID: String, session: LiveSession, task: BenchmarkTask, kind: EvaluationKind) async throws(MLGymError) -> EvaluationInfo {
        let claimed = evaluating.withLock { $0.insert(sessionID).inserted }
        guard claimed else {
            throw MLGymError(.invalidState, "an evaluation of session \(sessionID) is already running; wait for it")
        }
        defer { _ = evaluating.withLock { $0.remove(sessionID) } }
        let previous = try await store.evaluations.evaluations(sessionID)
        if previous.contains(where: Self.isFinal) {
            throw MLGymError(.invalidState, "session \(sessionID) has already submitted; a submission is final")
        }
        let probe = await tasks?.probe()
        let sandbox = session.sandbox
        let context = TaskEvaluator.Context(
            task: task, workspaceHostPath: sandbox.workspaceHostPath, identity: sandbox.spec.identity,
            agentHostUID: sandbox.agentHostUID, agentHostGID: engine.rootless ? getgid() : sandbox.spec.identity.gid,
            lifetime: session.evaluations, rootFilesystem: rootFilesystem, limits: sandbox.limits, gpus: sandbox.spec.gpus,
            hubCache: task.hubDatasets.isEmpty ? nil : tasks?.hubCache.directory,
            scratchDirectory: sandbox.scratchDirectory + "/evaluation-" + SandboxEngine.newID())
        let startedAt = Date()
        let evaluationID = try await store.evaluations.begin(sessionID: sessionID, taskID: task.id, kind: kind.rawValue, startedAt: startedAt)
        let outcome = await TaskEvaluator(engine: engine).evaluate(context)
        let stored = try await store.evaluations.finish(evaluationID, with: EvaluationRecord(
            sessionID: sessionID, taskID: task.id, kind: kind.rawValue, status: outcome.status.rawValue, startedAt: startedAt,
            finishedAt: Date(), durationMs: outcome.durationMs, metrics: outcome.metrics, artefactPath: outcome.artefactPath,
            artefactDigest: outcome.artefactDigest, rootfsIdentity: probe?.identity, message: outcome.message,
            output: outcome.output))
        if Self.isFinal(stored) { session.finalSubmission.withLock { $0 = stored } }
        DaemonLog.info("session \(sessionID): \(kind.rawValue) of task \(task.id) \(outcome.status.rawValue) in \(outcome.durationMs) ms")
        return EvaluationObservation.info(stored, task: task)
    }

    /// Every evaluation of session `sessionID`, with MLGym's per-run Best Attempt and Submission values.
    func evaluations(sessionID: String, task: BenchmarkTask) async throws(MLGymError) -> EvaluationList {
        let stored = try await store.evaluations.evaluations(sessionID)
        let agentRuns = stored.filter {
            $0.kind != EvaluationKind.baseline.rawValue && $0.status == EvaluationOutcome.Status.succeeded.rawValue
        }
        let run = RunRecord(
            id: sessionID, task: task.id, method: "session", metric: task.config.rankingMetric ?? "",
            direction: task.config.metricDirection,
            evaluations: agentRuns.map { .init(kind: RunRecord.Evaluation.Kind(rawValue: $0.kind) ?? .validate, metrics: $0.metrics) })
        return EvaluationList(
            task: task.id, metric: task.config.rankingMetric, direction: task.config.metricDirection.rawValue,
            evaluations: stored.map { EvaluationObservation.info($0, task: task) }, bestAttempt: BestOf.bestAttempt(of: run),
            submission: BestOf.submission(of: run), submitted: stored.contains(where: Self.isFinal))
    }

    /// The final submission of a session that is no longer running, from the store.
    func storedFinalSubmission(of sessionID: String) async -> EvaluationRecord? {
        do {
            return try await store.evaluations.evaluations(sessionID).last(where: Self.isFinal)
        } catch {
            DaemonLog.warning("session \(sessionID): cannot read its evaluations: \(error)")
            return nil
        }
    }

    /// A submission ends the session's evaluations, unless mlgym (not the agent) failed to evaluate it.
    static func isFinal(_ record: EvaluationRecord) -> Bool {
        EvaluationKind(rawValue: record.kind)?.isSubmission == true && record.status != EvaluationOutcome.Status.error.rawValue
            && record.status != EvaluationRecord.runningStatus
    }
}
