import Foundation
import MLGymCore
import MLGymStore

/// mlgymd's memory: agents write findings and find them again, by meaning (cosine similarity of embeddings)
/// and by exact term (SQLite FTS5, BM25), the two rankings fused. Memories live in the store, per owner and
/// scope, and outlast sessions, runs and daemon restarts. A scope's vectors are kept in memory once searched,
/// so a query costs one embedding and one pass over a packed matrix.
public actor MemoryService {
    /// How a search ranks: both signals fused (the default), or one alone (for comparisons).
    public enum Mode: String, Sendable, CaseIterable {
        case hybrid, cosine, lexical
    }

    public struct Hit: Sendable, Equatable {
        public var memory: MemoryRecord
        /// The fused score (reciprocal-rank fusion), or the cosine alone in `cosine` mode.
        public var score: Double
        /// Cosine similarity of the memory and the query (what MLGym's `memory_read` prints).
        public var similarity: Double
    }

    /// MLGym's top-k.
    public static let defaultK = 2
    /// Memories one scope may hold: an agent in a loop must not fill the daemon's disk.
    public static let maxPerScope = 200_000
    /// Candidates each ranking contributes to the fusion.
    static let candidates = 100
    /// Reciprocal-rank fusion's constant (the usual 60).
    static let fusionConstant = 60.0

    public nonisolated let embedder: any TextEmbedder
    let store: Store
    struct Key: Hashable {
        var owner: UInt32
        var scope: String
    }
    struct Matrix {
        var ids: [Int64] = []
        var rows: [Float] = []
        var dimensions = 0
    }
    private var cache: [Key: Matrix] = [:]
    /// Bumped by every write and removal of a scope: a load that raced one is thrown away and done again.
    private var generations: [Key: Int] = [:]
    /// Floats the cache may hold in all (1 GiB); past it, other scopes' matrices are dropped.
    static let cacheBudget = 256 << 20

    public init(store: Store, embedder: any TextEmbedder) {
        self.store = store
        self.embedder = embedder
    }

    // MARK: Write

    /// Stores one memory; its tag is the word 3-gram closest in meaning to the whole text (MLGym's rule), plus
    /// any the writer gave.
    public func write(
        owner: UInt32, scope: String, text: String, tags: [String] = [], provenance: MemoryProvenance = .init()
    ) async throws(MLGymError) -> MemoryRecord {
        let content = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !content.isEmpty else { throw MLGymError(.invalidArgument, "a memory needs some text") }
        guard content.utf8.count <= 64 << 10 else { throw MLGymError(.invalidArgument, "a memory holds at most 64 KiB of text") }
        try await ensureRoom(owner: owner, scope: scope, for: 1)
        let vector = try await embedOne(content)
        let derived = try await MemoryTags.best(of: content, embedding: vector, embedder: embedder)
        let record = MemoryRecord(
            ownerUID: owner, scope: scope, text: content, tags: Self.merged(derived.map { [$0] } ?? [], tags),
            provenance: provenance, embedder: embedder.name, embedding: vector)
        let stored = try await store.memory.insert([record])
        invalidate(Key(owner: owner, scope: scope))
        return stored[0]
    }

    /// Stores many memories (an import), embedding them in batches; tags as given (no derivation: an import
    /// carries its own).
    public func importTexts(owner: UInt32, scope: String, texts: [String], tags: [[String]]?) async throws(MLGymError) -> Int {
        try await ensureRoom(owner: owner, scope: scope, for: texts.count)
        var imported = 0
        let batch = 256
        var start = 0
        while start < texts.count {
            let slice = Array(texts[start..<min(texts.count, start + batch)])
            let vectors = try await embedder.embed(slice)
            let records = slice.enumerated().compactMap { offset, text -> MemoryRecord? in
                let content = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !content.isEmpty, content.utf8.count <= 64 << 10 else { return nil }
                let given = tags.flatMap { start + offset < $0.count ? $0[start + offset] : nil } ?? []
                return MemoryRecord(
                    ownerUID: owner, scope: scope, text: content, tags: Self.merged(given, []), embedder: embedder.name,
                    embedding: vectors[offset])
            }
            let stored = try await store.memory.insert(records)
            invalidate(Key(owner: owner, scope: scope))
            imported += stored.count
            start += batch
        }
        return imported
    }

    public func delete(owner: UInt32, ids: [Int64]) async throws(MLGymError) -> Int {
        let removed = try await store.memory.delete(owner: owner, ids: ids)
        // Which scopes they were in is not known here: forget this owner's cached matrices.
        for key in Array(cache.keys) + Array(generations.keys) where key.owner == owner {
            cache[key] = nil
            generations[key, default: 0] += 1
        }
        return removed
    }

    // MARK: Read

    public func search(owner: UInt32, scope: String, query: String, k: Int = defaultK, mode: Mode = .hybrid) async throws(MLGymError) -> [Hit] {
        let text = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.utf8.count <= 4096 else { throw MLGymError(.invalidArgument, "a search needs a query of 1 to 4096 bytes") }
        guard (1...100).contains(k) else { throw MLGymError(.invalidArgument, "k \(k) must be 1 to 100") }
        let queryVector = try await embedOne(text)
        let matrix = try await matrix(for: Key(owner: owner, scope: scope))
        // The cosine of every memory is needed for ranking (not in lexical mode) and for the similarity shown.
        let similarities = mode == .lexical ? [] : Self.similarities(queryVector, matrix)
        var cosineRanking: [Int64] = []
        if mode != .lexical {
            // Only memories that share something with the query (a query of punctuation alone shares nothing).
            cosineRanking = Self.top(Self.candidates, of: similarities).filter { similarities[$0] > 0 }.map { matrix.ids[$0] }
        }
        var lexicalRanking: [Int64] = []
        if mode != .cosine {
            lexicalRanking = try await store.memory.lexicalMatches(
                owner: owner, scope: scope, terms: Self.terms(of: text), limit: Self.candidates)
        }
        var fused: [Int64: Double] = [:]
        for (rank, id) in cosineRanking.enumerated() { fused[id, default: 0] += 1 / (Self.fusionConstant + Double(rank + 1)) }
        for (rank, id) in lexicalRanking.enumerated() { fused[id, default: 0] += 1 / (Self.fusionConstant + Double(rank + 1)) }
        let similarity: (Int64) -> Double = { id in
            guard let index = Self.position(of: id, in: matrix.ids) else { return 0 }
            if !similarities.isEmpty { return Double(similarities[index]) }
            let row = Array(matrix.rows[(index * matrix.dimensions)..<((index + 1) * matrix.dimensions)])
            return Double(Vectors.dot(row, queryVector))
        }
        let chosen: [(id: Int64, score: Double)] = mode == .cosine
            ? cosineRanking.prefix(k).map { ($0, similarity($0)) }
            : fused.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(k).map { ($0.key, $0.value) }
        let records = try await store.memory.memories(owner: owner, ids: chosen.map(\.id))
        let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
        return chosen.compactMap { entry in
            byID[entry.id].map { Hit(memory: $0, score: entry.score, similarity: similarity(entry.id)) }
        }
    }

    public func list(owner: UInt32, scope: String) async throws(MLGymError) -> [MemoryRecord] {
        try await store.memory.memories(owner: owner, scope: scope)
    }

    public func summary(owner: UInt32, scope: String) async throws(MLGymError) -> (count: Int, tags: [String]) {
        try await store.memory.summary(owner: owner, scope: scope)
    }

    public func scopes(owner: UInt32) async throws(MLGymError) -> [(scope: String, count: Int)] {
        try await store.memory.scopes(owner: owner)
    }

    /// A scope in MLGym's memory.json shape: parallel texts, embeddings and tags (one tag per memory, its first,
    /// or "" so the lists stay aligned).
    public func export(owner: UInt32, scope: String) async throws(MLGymError) -> (texts: [String], embeddings: [[Float]], tags: [String]) {
        let records = try await store.memory.memories(owner: owner, scope: scope, withEmbeddings: true)
        return (records.map(\.text), records.map(\.embedding), records.map { $0.tags.first ?? "" })
    }

    // MARK: Parts

    private func ensureRoom(owner: UInt32, scope: String, for count: Int) async throws(MLGymError) {
        let held = try await store.memory.count(owner: owner, scope: scope)
        guard held + count <= Self.maxPerScope else {
            throw MLGymError(.limitExceeded, "scope \(scope) holds \(held) memories, and may hold \(Self.maxPerScope); remove some (mlgymctl memory rm) or use another scope")
        }
    }

    private func embedOne(_ text: String) async throws(MLGymError) -> [Float] {
        guard let vector = try await embedder.embed([text]).first else {
            throw MLGymError(.system, "the embedder \(embedder.name) returned nothing")
        }
        return vector
    }

    private func matrix(for key: Key) async throws(MLGymError) -> Matrix {
        while true {
            if let cached = cache[key] { return cached }
            let generation = generations[key, default: 0]
            let loaded = try await store.memory.vectors(owner: key.owner, scope: key.scope, embedder: embedder.name)
            // A write or removal meanwhile may or may not be in what was read: read again.
            guard generations[key, default: 0] == generation else { continue }
            let matrix = Matrix(ids: loaded.ids, rows: loaded.matrix, dimensions: loaded.ids.isEmpty ? 0 : loaded.matrix.count / loaded.ids.count)
            if cache.values.reduce(0, { $0 + $1.rows.count }) + matrix.rows.count > Self.cacheBudget { cache = [:] }
            cache[key] = matrix
            return matrix
        }
    }

    /// A scope changed: its matrix is read again at the next search (a write costs no copy of the matrix, and
    /// no load can keep a stale one).
    private func invalidate(_ key: Key) {
        generations[key, default: 0] += 1
        cache[key] = nil
    }

    /// The query's dot product with every row (cosines: both sides are normalised), eight lanes at a time.
    static func similarities(_ query: [Float], _ matrix: Matrix) -> [Float] {
        let dimensions = matrix.dimensions
        guard dimensions > 0, query.count == dimensions else { return Array(repeating: 0, count: matrix.ids.count) }
        let lanes = dimensions / 8
        let queryChunks: [SIMD8<Float>] = (0..<lanes).map { chunk in
            SIMD8<Float>(query[(chunk * 8)..<(chunk * 8 + 8)])
        }
        var result = [Float](repeating: 0, count: matrix.ids.count)
        matrix.rows.withUnsafeBytes { rows in
            result.withUnsafeMutableBufferPointer { out in
                for row in 0..<out.count {
                    let base = row * dimensions * MemoryLayout<Float>.stride
                    var accumulator = SIMD8<Float>()
                    for chunk in 0..<lanes {
                        accumulator += rows.loadUnaligned(fromByteOffset: base + chunk * 32, as: SIMD8<Float>.self) * queryChunks[chunk]
                    }
                    var sum = accumulator.sum()
                    for column in (lanes * 8)..<dimensions {
                        sum += rows.loadUnaligned(fromByteOffset: base + column * 4, as: Float.self) * query[column]
                    }
                    out[row] = sum
                }
            }
        }
        return result
    }

    /// Where `id` is among a matrix's ids (ascending: they are read in id order), by binary search: a search
    /// needs the rows of its few hits, not a map of all of them.
    static func position(of id: Int64, in ids: [Int64]) -> Int? {
        var low = 0
        var high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low < ids.count && ids[low] == id ? low : nil
    }

    /// Indices of the `count` largest values, largest first (ties: the earlier memory first).
    static func top(_ count: Int, of values: [Float]) -> [Int] {
        var best: [(index: Int, value: Float)] = []
        best.reserveCapacity(count + 1)
        for (index, value) in values.enumerated() {
            if best.count == count, let last = best.last, value <= last.value { continue }
            let position = best.firstIndex { value > $0.value } ?? best.count
            best.insert((index, value), at: position)
            if best.count > count { best.removeLast() }
        }
        return best.map(\.index)
    }

    /// The query's words for the term index, each searched as a phrase (so "weight_decay" or "3e-4" match as
    /// written), without surrounding punctuation.
    static func terms(of query: String) -> [String] {
        // Every word, common ones too: on the labelled set (bench/memory) dropping stop words cost paraphrase
        // recall, for a search that was already 100 times faster than MLGym's.
        query.split(whereSeparator: \.isWhitespace).map { word in
            word.trimmingCharacters(in: CharacterSet.alphanumerics.inverted)
        }.filter { $0.contains { $0.isLetter || $0.isNumber } }
    }

    /// Tags of one memory: one line each, at most 64 characters, at most 8 (they reach other runs' prompts).
    static func merged(_ first: [String], _ second: [String]) -> [String] {
        var seen: Set<String> = []
        return (first + second)
            .map { String($0.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces).prefix(64)) }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
            .prefix(8).map { $0 }
    }
}
