import Foundation
import MLGymAPI
import MLGymCore
import MLGymStore
import MLGymTasks
import Synchronization

/// The evaluation verbs as the session manager serves them: it finds and authorises the session and its task,
/// and `EvaluationCoordinator` runs and records the evaluation.
extension SessionManager {
    /// Evaluates the session's artefact in a fresh evaluation sandbox and records the result before answering.
    public func evaluate(_ reference: String, kind: String, for peer: PeerCredentials) async throws(MLGymError) -> EvaluationInfo {
        guard let kind = EvaluationKind(rawValue: kind) else {
            throw MLGymError(.invalidArgument, "evaluation kind '\(kind)' must be validate, submit, autosubmit or baseline")
        }
        let record = try await resolve(reference, for: peer)
        let task = try taskOfRecord(record)
        guard let session = live[record.id] else {
            throw MLGymError(.invalidState, "session \(record.id) is \(record.state.rawValue), not running")
        }
        // With --snapshot-on validate, what is about to be scored is kept first; a failed snapshot is logged and
        // the evaluation goes on (the agent's validate must not fail for the daemon's bookkeeping).
        var snapshot: SnapshotRecord?
        if kind == .validate, record.startSpec?.snapshotOn == "validate" {
            do {
                snapshot = try await takeSnapshot(of: session, name: nil, trigger: "validate", caller: peer.pid)
            } catch {
                DaemonLog.warning("session \(record.id): no snapshot at this validate: \(error.message)")
            }
        }
        let evaluation = try await evaluationCoordinator.evaluate(sessionID: record.id, session: session, task: task, kind: kind)
        if let snapshot {
            await loggedWrite("link snapshot \(snapshot.id) to evaluation \(evaluation.id)") {
                try await store.snapshots.link(snapshot.id, toEvaluation: evaluation.id)
            }
        }
        return evaluation
    }

    /// Every evaluation of the session, with MLGym's per-run Best Attempt and Submission values.
    public func evaluations(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> EvaluationList {
        let record = try await resolve(reference, for: peer)
        return try await evaluationCoordinator.evaluations(sessionID: record.id, task: try taskOfRecord(record))
    }

    /// The final submission of a session, from memory while it runs (an agent run asks after every step), else
    /// from the store.
    func finalSubmission(of sessionID: String) async -> EvaluationRecord? {
        if let session = live[sessionID] { return session.finalSubmission.withLock { $0 } }
        return await evaluationCoordinator.storedFinalSubmission(of: sessionID)
    }

    /// The session's task, with its description (what the agent's tools show).
    func taskOfSession(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> TaskInfo {
        let record = try await resolve(reference, for: peer)
        let task = try taskOfRecord(record)
        guard let tasks else { throw MLGymError(.notFound, "this mlgymd has no tasks") }
        return try await tasks.describe(task.id)
    }

    func taskOfRecord(_ record: SessionRecord) throws(MLGymError) -> BenchmarkTask {
        let spec = record.startSpec
        guard let taskID = spec?.task else {
            throw MLGymError(.invalidState, "session \(record.id) has no task (start one with mlgymctl start --task ID)")
        }
        guard let tasks else { throw MLGymError(.notFound, "task \(taskID) is not installed in this mlgymd") }
        return try tasks.task(taskID)
    }
}
