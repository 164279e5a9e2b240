import Foundation
import MLGymCore

/// The built-in embedder, always available and deterministic: signed feature hashing of a text's words, word
/// pairs and character trigrams into 384 dimensions (MiniLM's size), with sublinear term weights. It needs no
/// model and no network, gives the same vector on every machine, and finds memories that share words or word
/// parts ("optimizer"/"optimizers", "lr"/"learning rate" only when both appear); paraphrases with no shared
/// words need a model back-end.
public struct LexicalEmbedder: TextEmbedder {
    public let dimensions: Int
    public var name: String { "lexical-\(dimensions)" }

    public init(dimensions: Int = 384) {
        self.dimensions = dimensions
    }

    public func embed(_ texts: [String]) async throws(MLGymError) -> [[Float]] {
        texts.map(vector)
    }

    /// The vector of one text.
    public func vector(_ text: String) -> [Float] {
        var counts: [String: Float] = [:]
        let words = Self.words(text)
        for word in words {
            counts["w:" + word, default: 0] += 1
            let padded = Array("<" + word + ">")
            if padded.count >= 3 {
                for start in 0...(padded.count - 3) { counts["c:" + String(padded[start..<(start + 3)]), default: 0] += 0.25 }
            }
        }
        for (first, second) in zip(words, words.dropFirst()) { counts["b:" + first + " " + second, default: 0] += 0.5 }
        var vector = [Float](repeating: 0, count: dimensions)
        for (feature, count) in counts {
            let hash = Self.fnv1a(feature)
            let index = Int(hash % UInt64(dimensions))
            let sign: Float = (hash >> 63) == 0 ? 1 : -1
            vector[index] += sign * (1 + log(count + 1))
        }
        return Vectors.normalised(vector)
    }

    /// Lower-cased words: letters and digits, keeping a decimal point or an exponent's sign inside a number
    /// ("3e-4", "0.05") and joining snake_case ("weight_decay" is one word and also its parts).
    static func words(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        let characters = Array(text.lowercased())
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : " "
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if (character == "." || character == "-" || character == "_") && !current.isEmpty && (next.isLetter || next.isNumber) {
                current.append(character)
            } else if !current.isEmpty {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        // A joined word also counts as its parts.
        return result.flatMap { word in
            let parts = word.split(whereSeparator: { $0 == "_" || $0 == "-" }).map(String.init)
            return parts.count > 1 && !word.first!.isNumber ? [word] + parts : [word]
        }
    }

    /// FNV-1a, 64 bits: a fixed hash (Swift's own is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
