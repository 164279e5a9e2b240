import Foundation
import MLGymCore
import MLGymStore

/// Literature search for agents and people, served by mlgymd so the agent's sandbox needs no network:
/// Semantic Scholar first, arXiv when it does not answer, and the cache of earlier answers when neither does.
/// Rate limits and failures are retried with backoff before falling through.
public actor LiteratureService {
    public struct Configuration: Sendable {
        public var semanticScholarURL = SemanticScholarClient.defaultBaseURL
        public var semanticScholarKey: String?
        public var arxivURL = ArxivClient.defaultBaseURL
        /// Calls to one source before the next is asked.
        public var attempts = 3
        /// The first wait; it doubles (a Retry-After header wins).
        public var baseDelay: Double = 1
        /// How long a cached answer is used without asking again.
        public var freshFor: Double = 7 * 86400
        public init() {}
    }

    /// An answer, and where it came from.
    public struct Result: Sendable, Equatable {
        public var query: String
        /// `semantic-scholar` or `arxiv`.
        public var source: String
        public var papers: [Paper]
        public var cached: Bool
        public var fetchedAt: Date
        /// Why the answer is not fresh from the first source, when it is not.
        public var note: String?
    }

    let configuration: Configuration
    let store: Store

    public init(store: Store, configuration: Configuration) {
        self.store = store
        self.configuration = configuration
    }

    public func search(_ query: String, limit: Int = 20) async throws(MLGymError) -> Result {
        let text = query.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !text.isEmpty, text.count <= 500 else { throw MLGymError(.invalidArgument, "a literature search needs a query of 1 to 500 characters") }
        guard (1...100).contains(limit) else { throw MLGymError(.invalidArgument, "the number of results \(limit) must be 1 to 100") }
        let key = "search:\(limit):" + text.lowercased()
        let cached = try? await store.literature.entry(key)
        if let cached, Date().timeIntervalSince(cached.fetchedAt) < configuration.freshFor, let papers = Self.decode(cached.answer) {
            return Result(query: text, source: cached.source, papers: papers, cached: true, fetchedAt: cached.fetchedAt, note: nil)
        }
        var failures: [String] = []
        let scholar = SemanticScholarClient(baseURL: configuration.semanticScholarURL, apiKey: configuration.semanticScholarKey)
        let arxiv = ArxivClient(baseURL: configuration.arxivURL)
        let sources: [(name: String, label: String, search: @Sendable () async throws(LiteratureFailure) -> [Paper])] = [
            ("semantic-scholar", "Semantic Scholar", { () async throws(LiteratureFailure) in try await scholar.search(text, limit: limit) }),
            ("arxiv", "arXiv", { () async throws(LiteratureFailure) in try await arxiv.search(text, limit: limit) }),
        ]
        for source in sources {
            do {
                let papers = try await withRetries(source.search)
                do {
                    try await store.literature.save(key, source: source.name, answer: try JSONEncoder().encode(papers))
                } catch {
                    // The answer still goes back; only the cache (and a later offline answer) misses it.
                    DaemonLog.warning("cannot cache the literature answer for \"\(text)\" from \(source.label): \(error)")
                }
                return Result(
                    query: text, source: source.name, papers: papers, cached: false, fetchedAt: Date(),
                    note: failures.isEmpty ? nil : failures.joined(separator: "; ") + "; answered by \(source.label)")
            } catch {
                failures.append("\(source.label): \(error.message)")
            }
        }
        if let cached, let papers = Self.decode(cached.answer) {
            return Result(
                query: text, source: cached.source, papers: papers, cached: true, fetchedAt: cached.fetchedAt,
                note: failures.joined(separator: "; ") + "; this is the answer cached on \(cached.fetchedAt.formatted(.iso8601))")
        }
        throw MLGymError(.unsupported, "literature search found no source that answers (\(failures.joined(separator: "; "))) and has nothing cached for this query; try again later")
    }

    private func withRetries(_ call: @Sendable () async throws(LiteratureFailure) -> [Paper]) async throws(LiteratureFailure) -> [Paper] {
        var attempt = 1
        while true {
            do {
                return try await call()
            } catch {
                if case .malformed = error { throw error }
                guard attempt < configuration.attempts else { throw error }
                var delay = configuration.baseDelay * pow(2, Double(attempt - 1))
                if case .rateLimited(let after?) = error { delay = after }
                try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
                attempt += 1
            }
        }
    }

    static func decode(_ answer: Data) -> [Paper]? {
        try? JSONDecoder().decode([Paper].self, from: answer)
    }
}
