import Foundation
internal import GRDB

/// Where a memory came from: the agent run, session and step that wrote it, when an agent did.
public struct MemoryProvenance: Sendable, Equatable, Codable {
    public var taskID: String?
    public var runID: String?
    public var sessionID: String?
    public var step: Int?

    public init(taskID: String? = nil, runID: String? = nil, sessionID: String? = nil, step: Int? = nil) {
        self.taskID = taskID
        self.runID = runID
        self.sessionID = sessionID
        self.step = step
    }
}

/// One memory as the store keeps it (`id` 0 before it is written).
public struct MemoryRecord: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var ownerUID: UInt32
    public var scope: String
    public var text: String
    public var tags: [String]
    public var provenance: MemoryProvenance
    public var createdAt: Date
    public var embedder: String
    /// L2-normalised; empty when read without vectors.
    public var embedding: [Float]

    public init(
        id: Int64 = 0, ownerUID: UInt32, scope: String, text: String, tags: [String], provenance: MemoryProvenance = .init(),
        createdAt: Date = Date(), embedder: String, embedding: [Float]
    ) {
        self.id = id
        self.ownerUID = ownerUID
        self.scope = scope
        self.text = text
        self.tags = tags
        self.provenance = provenance
        self.createdAt = createdAt
        self.embedder = embedder
        self.embedding = embedding
    }

    static let selection = "id, owner_uid, scope, text, tags, task_id, run_id, session_id, step, created_at, embedder"

    init(row: Row, withEmbedding: Bool) throws {
        let tagsText: String = try row.decode(forColumn: "tags")
        self.init(
            id: try row.decode(forColumn: "id"), ownerUID: try row.decode(forColumn: "owner_uid"),
            scope: try row.decode(forColumn: "scope"), text: try row.decode(forColumn: "text"),
            tags: (try? JSONDecoder().decode([String].self, from: Data(tagsText.utf8))) ?? [],
            provenance: MemoryProvenance(
                taskID: try row.decode(forColumn: "task_id"), runID: try row.decode(forColumn: "run_id"),
                sessionID: try row.decode(forColumn: "session_id"), step: try row.decode(forColumn: "step")),
            createdAt: Date(unixMilliseconds: try row.decode(forColumn: "created_at")),
            embedder: try row.decode(forColumn: "embedder"),
            embedding: withEmbedding ? Self.floats(try row.decode(Data.self, forColumn: "embedding")) : [])
    }

    static func blob(_ vector: [Float]) -> Data {
        vector.withUnsafeBufferPointer { Data(buffer: $0) }
    }

    static func floats(_ blob: Data) -> [Float] {
        blob.withUnsafeBytes { raw in Array(raw.bindMemory(to: Float.self)) }
    }
}
