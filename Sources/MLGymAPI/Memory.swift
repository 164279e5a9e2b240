import Foundation
import MLGymCore
import MLGymToolSupport

/// `POST /v1/memory`: write a memory. The scope is `scope`, else `task:<task>`, else `default`.
public struct MemoryWriteRequest: Codable, Sendable, Equatable {
    public var scope: String?
    public var task: String?
    public var text: String
    public var tags: [String]?
    public init(scope: String? = nil, task: String? = nil, text: String, tags: [String]? = nil) {
        self.scope = scope
        self.task = task
        self.text = text
        self.tags = tags
    }
}

/// One memory.
public struct MemoryEntry: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64
    public var scope: String
    public var text: String
    public var tags: [String]
    public var createdAt: Date
    public var embedder: String
    /// The task, run, session and step that wrote it, when an agent did.
    public var task: String?
    public var run: String?
    public var session: String?
    public var step: Int?

    public init(
        id: Int64, scope: String, text: String, tags: [String], createdAt: Date, embedder: String, task: String?, run: String?,
        session: String?, step: Int?
    ) {
        self.id = id
        self.scope = scope
        self.text = text
        self.tags = tags
        self.createdAt = createdAt
        self.embedder = embedder
        self.task = task
        self.run = run
        self.session = session
        self.step = step
    }
}

/// `POST /v1/memory/search`.
public struct MemorySearchRequest: Codable, Sendable, Equatable {
    public var scope: String?
    public var task: String?
    public var query: String
    /// Memories to return (MLGym: 2).
    public var k: Int?
    /// `hybrid` (default), `cosine` or `lexical`.
    public var mode: String?
    public init(scope: String? = nil, task: String? = nil, query: String, k: Int? = nil, mode: String? = nil) {
        self.scope = scope
        self.task = task
        self.query = query
        self.k = k
        self.mode = mode
    }
}

public struct MemoryMatch: Codable, Sendable, Equatable {
    public var entry: MemoryEntry
    /// The fused rank score (or the cosine alone in `cosine` mode).
    public var score: Double
    /// Cosine similarity to the query.
    public var similarity: Double
    public init(entry: MemoryEntry, score: Double, similarity: Double) {
        self.entry = entry
        self.score = score
        self.similarity = similarity
    }
}

public struct MemorySearchResult: Codable, Sendable, Equatable {
    public var query: String
    public var scope: String
    public var embedder: String
    public var matches: [MemoryMatch]
    public init(query: String, scope: String, embedder: String, matches: [MemoryMatch]) {
        self.query = query
        self.scope = scope
        self.embedder = embedder
        self.matches = matches
    }

    /// What MLGym's `memory_read` prints.
    public var mlgymText: String {
        MemoryReadText.render(query: query, matches: matches.map { (text: $0.entry.text, similarity: $0.similarity) })
    }
}

/// `GET /v1/memory?scope=`: a scope's memories, oldest first; `scopes` lists the caller's scopes with sizes.
public struct MemoryList: Codable, Sendable, Equatable {
    public struct Scope: Codable, Sendable, Equatable {
        public var scope: String
        public var count: Int
        public init(scope: String, count: Int) {
            self.scope = scope
            self.count = count
        }
    }
    public var scope: String
    public var entries: [MemoryEntry]
    public var scopes: [Scope]
    public init(scope: String, entries: [MemoryEntry], scopes: [Scope]) {
        self.scope = scope
        self.entries = entries
        self.scopes = scopes
    }
}

/// `POST /v1/memory/import`: many memories at once (MLGym's memory.json has `texts` and, shorter, `tags`).
public struct MemoryImportRequest: Codable, Sendable, Equatable {
    public var scope: String?
    public var task: String?
    public var texts: [String]
    /// Tags per text, in order; MLGym's flat `tags` list (one per text) is accepted by mlgymctl and sent as this.
    public var tags: [[String]]?
    public init(scope: String? = nil, task: String? = nil, texts: [String], tags: [[String]]? = nil) {
        self.scope = scope
        self.task = task
        self.texts = texts
        self.tags = tags
    }
}

public struct MemoryImportResult: Codable, Sendable, Equatable {
    public var scope: String
    public var imported: Int
    public init(scope: String, imported: Int) {
        self.scope = scope
        self.imported = imported
    }
}

/// `GET /v1/memory/export?scope=`: MLGym's memory.json.
public struct MemoryExport: Codable, Sendable, Equatable {
    public var texts: [String]
    public var embeddings: [[Float]]
    public var tags: [String]
    public init(texts: [String], embeddings: [[Float]], tags: [String]) {
        self.texts = texts
        self.embeddings = embeddings
        self.tags = tags
    }
}

/// `GET /v1/memory/summary`: what an agent's prompt shows of its memory.
public struct MemorySummary: Codable, Sendable, Equatable {
    public var scope: String
    public var count: Int
    public var tags: [String]
    public init(scope: String, count: Int, tags: [String]) {
        self.scope = scope
        self.count = count
        self.tags = tags
    }

    /// MLGym's two lines: the number of records and the keywords (at most 40 of them and 1,000 characters: they
    /// go into every message of every run on the scope).
    public var promptLines: String {
        var keywords = tags.prefix(40).joined(separator: " | ")
        if keywords.count > 1000 { keywords = String(keywords.prefix(1000)) + " …" }
        if tags.count > 40 { keywords += " | … (\(tags.count - 40) more)" }
        return "(Memory records: \(count == 0 ? "no records, write to memory first" : String(count)))\n"
            + "(Memory keywords: \(tags.isEmpty ? "n/a" : keywords))"
    }
}

/// `DELETE /v1/memory/{id}` answers this.
public struct MemoryRemoved: Codable, Sendable, Equatable {
    public var removed: Int
    public init(removed: Int) { self.removed = removed }
}
