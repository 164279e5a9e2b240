import Foundation
import MLGymAPI
import MLGymCore
import MLGymServices
import MLGymStore
import Synchronization

/// The agent's side of the memory, through its session's socket: the scope is the session's (its task's by
/// default), the owner the session's owner, and each memory records the task, run, session and step that wrote it.
extension SessionManager {
    struct MemoryContext {
        var owner: UInt32
        var scope: String
        var provenance: MemoryProvenance
    }

    func memoryContext(of sessionID: String) async throws(MLGymError) -> MemoryContext {
        let record = try await store.sessions.session(sessionID)
        let spec = record.startSpec
        let runID = live[sessionID]?.drivingRun.withLock { $0 }
        var step: Int?
        if let runID { step = (try? await store.runs.run(runID)).map { $0.steps + 1 } }
        return MemoryContext(
            owner: record.ownerUID, scope: MemoryRoutes.scope(spec?.memoryScope, spec?.task),
            provenance: MemoryProvenance(taskID: spec?.task, runID: runID, sessionID: sessionID, step: step))
    }

    func agentMemoryWrite(_ sessionID: String, _ body: MemoryWriteRequest) async throws(MLGymError) -> MemoryEntry {
        guard let memory else { throw MLGymError(.unsupported, "this mlgymd has no memory service") }
        let context = try await memoryContext(of: sessionID)
        let record = try await memory.write(
            owner: context.owner, scope: context.scope, text: body.text, tags: body.tags ?? [], provenance: context.provenance)
        return MemoryRoutes.entry(record)
    }

    func agentMemorySearch(_ sessionID: String, _ body: MemorySearchRequest) async throws(MLGymError) -> MemorySearchResult {
        guard let memory else { throw MLGymError(.unsupported, "this mlgymd has no memory service") }
        let context = try await memoryContext(of: sessionID)
        return try await MemoryRoutes.search(memory, owner: context.owner, scope: context.scope, body)
    }

    func agentMemorySummary(_ sessionID: String) async throws(MLGymError) -> MemorySummary {
        guard let memory else { throw MLGymError(.unsupported, "this mlgymd has no memory service") }
        let context = try await memoryContext(of: sessionID)
        let summary = try await memory.summary(owner: context.owner, scope: context.scope)
        return MemorySummary(scope: context.scope, count: summary.count, tags: summary.tags)
    }
}
