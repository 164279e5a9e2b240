import Foundation
import MLGymAPI
import MLGymCore
import MLGymServices
import MLGymStore
import NIOHTTP1

/// `/v1/memory`: people's (and scripts') side of the memory. Every memory is the caller's own: scopes are per
/// uid, so one user's notes never show in another's searches.
enum MemoryRoutes {
    static func register(on router: inout Router, memory: MemoryService) {
        router.add(.POST, "/v1/memory") { request in
            await answer {
                let body = try request.decode(MemoryWriteRequest.self)
                let record = try await memory.write(
                    owner: request.peer.uid, scope: scope(body.scope, body.task), text: body.text, tags: body.tags ?? [],
                    provenance: MemoryProvenance(taskID: body.task))
                return .json(entry(record), status: .created)
            }
        }
        router.add(.POST, "/v1/memory/search") { request in
            await answer {
                let body = try request.decode(MemorySearchRequest.self)
                return .json(try await search(memory, owner: request.peer.uid, scope: scope(body.scope, body.task), body))
            }
        }
        router.add(.GET, "/v1/memory") { request in
            await answer {
                let name = scope(request.query["scope"], request.query["task"])
                let entries = try await memory.list(owner: request.peer.uid, scope: name)
                let scopes = try await memory.scopes(owner: request.peer.uid)
                return .json(MemoryList(scope: name, entries: entries.map(entry), scopes: scopes.map { .init(scope: $0.scope, count: $0.count) }))
            }
        }
        router.add(.DELETE, "/v1/memory/{id}") { request in
            await answer {
                guard let id = Int64(request.parameter("id")) else {
                    throw MLGymError(.invalidArgument, "memory id '\(request.parameter("id"))' is not a number")
                }
                let removed = try await memory.delete(owner: request.peer.uid, ids: [id])
                guard removed > 0 else { throw MLGymError(.notFound, "no memory \(id) of yours (mlgymctl memory ls lists them)") }
                return .json(MemoryRemoved(removed: removed))
            }
        }
        router.add(.GET, "/v1/memory/export") { request in
            await answer {
                let exported = try await memory.export(owner: request.peer.uid, scope: scope(request.query["scope"], request.query["task"]))
                return .json(MemoryExport(texts: exported.texts, embeddings: exported.embeddings, tags: exported.tags))
            }
        }
        router.add(.POST, "/v1/memory/import") { request in
            await answer {
                let body = try request.decode(MemoryImportRequest.self)
                let name = scope(body.scope, body.task)
                let count = try await memory.importTexts(owner: request.peer.uid, scope: name, texts: body.texts, tags: body.tags)
                return .json(MemoryImportResult(scope: name, imported: count), status: .created)
            }
        }
    }

    /// The scope a request means: its own, else its task's, else `default`.
    static func scope(_ scope: String?, _ task: String?) -> String {
        if let scope, !scope.isEmpty { return scope }
        if let task, !task.isEmpty { return "task:" + task }
        return "default"
    }

    static func search(_ memory: MemoryService, owner: UInt32, scope: String, _ body: MemorySearchRequest) async throws(MLGymError) -> MemorySearchResult {
        guard let mode = MemoryService.Mode(rawValue: body.mode ?? "hybrid") else {
            throw MLGymError(.invalidArgument, "mode '\(body.mode ?? "")' must be hybrid, cosine or lexical")
        }
        let hits = try await memory.search(owner: owner, scope: scope, query: body.query, k: body.k ?? MemoryService.defaultK, mode: mode)
        return MemorySearchResult(
            query: body.query, scope: scope, embedder: memory.embedder.name,
            matches: hits.map { MemoryMatch(entry: entry($0.memory), score: $0.score, similarity: $0.similarity) })
    }

    static func entry(_ record: MemoryRecord) -> MemoryEntry {
        MemoryEntry(
            id: record.id, scope: record.scope, text: record.text, tags: record.tags, createdAt: record.createdAt,
            embedder: record.embedder, task: record.provenance.taskID, run: record.provenance.runID,
            session: record.provenance.sessionID, step: record.provenance.step)
    }
}
