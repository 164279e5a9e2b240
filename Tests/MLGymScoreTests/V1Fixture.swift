import Foundation
import MLGymScore

/// MLGym-Bench's arXiv v1 five-model tables (Fixtures/mlgym-v1-scores.csv) and the AUPs MLGym published for them.
enum V1Fixture {
    static let methods = ["baseline", "Llama-3.1-405B", "GPT-4o", "Claude-3.5-Sonnet", "Gemini-1.5-Pro", "O1-preview"]

    /// Published AUP@4 (Best Attempt, Best Submission), arXiv v1.
    static let publishedAUP: [String: (bestAttempt: Double, bestSubmission: Double)] = [
        "O1-preview": (1.150, 1.176),
        "Claude-3.5-Sonnet": (1.142, 1.135),
        "Gemini-1.5-Pro": (1.140, 1.125),
        "Llama-3.1-405B": (1.015, 1.039),
        "GPT-4o": (1.000, 1.029),
        "baseline": (0.953, 0.980),
    ]

    static func csv() throws -> String {
        guard let url = Bundle.module.url(forResource: "mlgym-v1-scores", withExtension: "csv", subdirectory: "Fixtures")
        else {
            throw FixtureMissing()
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func table() throws -> ScoreTable {
        try ScoreTableCSV.parse(try csv())
    }

    struct FixtureMissing: Error {}
}

/// A seeded generator (SplitMix64), so property tests explore many cases yet fail the same way every time.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
