import Foundation
import MLGymCore

/// MLGym's tag of a memory: of all its word 3-grams (lower-cased, split on whitespace), the one whose embedding
/// is closest to the whole text's. A text of fewer than three words gets none.
enum MemoryTags {
    /// 3-grams considered at most, so a long memory costs a bounded number of embeddings.
    static let maxCandidates = 200

    static func best(of text: String, embedding: [Float], embedder: any TextEmbedder) async throws(MLGymError) -> String? {
        let words = text.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.count >= 3 else { return nil }
        let grams = (0...(words.count - 3)).prefix(maxCandidates).map { words[$0..<($0 + 3)].joined(separator: " ") }
        let vectors = try await embedder.embed(grams)
        var best: (gram: String, score: Float)?
        for (gram, vector) in zip(grams, vectors) {
            let score = Vectors.dot(vector, embedding)
            if score > best?.score ?? -.infinity { best = (gram, score) }
        }
        return best?.gram
    }
}
