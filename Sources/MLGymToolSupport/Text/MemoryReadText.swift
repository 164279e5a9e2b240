/// What MLGym's `memory_read` prints: the query, then each match with its cosine similarity to two places.
///
/// Shared by the in-sandbox `memory_read` and `mlgymctl memory search`, so both print the same text.
public enum MemoryReadText {
    public static func render(query: String, matches: [(text: String, similarity: Double)]) -> String {
        var lines = ["Query: \(query)", "Top Matches:"]
        for (index, match) in matches.enumerated() {
            lines.append("  Match \(index + 1): \(match.text) | similarity score: \(TextFormat.fixed(match.similarity, digits: 2))")
        }
        if matches.isEmpty { lines.append("  (no memories yet: write some with memory_write)") }
        return lines.joined(separator: "\n")
    }
}
