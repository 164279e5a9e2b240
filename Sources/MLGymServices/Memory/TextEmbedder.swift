import Foundation
import MLGymCore

/// Turns texts into vectors for similarity search. Vectors come back L2-normalised, so a dot product is the
/// cosine similarity.
public protocol TextEmbedder: Sendable {
    /// What made the vectors ("lexical-384", "openai:text-embedding-3-small", "minilm"): stored with each memory,
    /// since vectors of different embedders cannot be compared.
    var name: String { get }
    func embed(_ texts: [String]) async throws(MLGymError) -> [[Float]]
}

enum Vectors {
    static func normalised(_ vector: [Float]) -> [Float] {
        var norm: Float = 0
        for value in vector { norm += value * value }
        guard norm > 0 else { return vector }
        let scale = 1 / norm.squareRoot()
        return vector.map { $0 * scale }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for index in 0..<min(a.count, b.count) { sum += a[index] * b[index] }
        return sum
    }
}
