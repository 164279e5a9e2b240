import Foundation
import MLGymAPI
import MLGymAgent
import MLGymCore
import MLGymStore

/// Commits a run's steps to the store as the loop takes them.
struct RunRecorder: AgentRecorder {
    let store: Store
    let runID: String
    let campaign: String?
    let ownerUID: UInt32
    /// Whose last action's exec-history row goes into the step's transaction.
    let environment: SessionAgentEnvironment?
    /// Told of every committed step and of spent tokens.
    let changes: ChangeFeed?

    /// Commits the step even when a stop has cancelled the loop's task meanwhile: the command ran, its effects
    /// are in the workspace, and a resume must know it (an unstructured task does not inherit the cancellation).
    func record(_ step: AgentStep) async throws {
        let data = try WireCoding.encoder().encode(step)
        let record = RunStepRecord(
            runID: runID, step: step.index, data: data, inputTokens: step.inputTokens, outputTokens: step.outputTokens,
            apiCalls: step.formatErrors + 1, cost: step.cost)
        let exec = environment?.takeHistory()
        try await Task { [store] in try await store.runs.record(record, exec: exec) }.value
        changes?.publish(Change(subject: .run, id: runID, ownerUID: ownerUID, state: nil))
    }

    func note(_ message: String) async {
        DaemonLog.info("run \(runID): \(message)")
    }

    func campaignCost() async -> Double {
        guard let campaign else { return 0 }
        return (try? await store.runs.campaignCost(campaign, ownerUID: ownerUID)) ?? 0
    }

    func addUsage(inputTokens: Int, outputTokens: Int, apiCalls: Int, cost: Double) async {
        // Spent money counts even for a run being stopped (see `record`).
        let write = Task { [store, runID] in
            try await store.runs.addUsage(runID, inputTokens: inputTokens, outputTokens: outputTokens, apiCalls: apiCalls, cost: cost)
        }
        do {
            try await write.value
            changes?.publish(Change(subject: .run, id: runID, ownerUID: ownerUID, state: nil))
        } catch {
            DaemonLog.warning("run \(runID): usage of its last model calls could not be recorded: \((error as? MLGymError)?.message ?? "\(error)")")
        }
    }

    /// The committed steps of a run, in order.
    static func steps(of runID: String, in store: Store) async throws(MLGymError) -> [AgentStep] {
        let decoder = WireCoding.decoder()
        return try await store.runs.steps(runID).map { data throws(MLGymError) in
            do {
                return try decoder.decode(AgentStep.self, from: data)
            } catch {
                throw MLGymError(.system, "step of run \(runID) cannot be read: \(error)")
            }
        }
    }
}
