/// A paper as literature search returns it, from whichever source answered.
public struct Paper: Codable, Sendable, Equatable {
    public var paperId: String
    public var title: String
    public var abstract: String?
    public var year: Int?
    public var authors: [String]
    /// An open-access PDF, when the source knows one.
    public var pdfURL: String?

    public init(paperId: String, title: String, abstract: String?, year: Int?, authors: [String], pdfURL: String?) {
        self.paperId = paperId
        self.title = title
        self.abstract = abstract
        self.year = year
        self.authors = authors
        self.pdfURL = pdfURL
    }
}

/// Why a source gave no answer: worth waiting and asking again (rate limit, server trouble, no answer), or not.
enum LiteratureFailure: Error, Sendable {
    case rateLimited(retryAfter: Double?)
    case unavailable(String)
    case malformed(String)

    var message: String {
        switch self {
        case .rateLimited: "rate limited (HTTP 429)"
        case .unavailable(let detail): detail
        case .malformed(let detail): "an answer that could not be read (\(detail))"
        }
    }
}
