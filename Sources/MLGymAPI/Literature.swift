import Foundation

/// `POST /v1/literature/search`.
public struct LiteratureSearchRequest: Codable, Sendable, Equatable {
    public var query: String
    /// Papers to return (MLGym: 20).
    public var limit: Int?
    public init(query: String, limit: Int? = nil) {
        self.query = query
        self.limit = limit
    }
}

public struct PaperInfo: Codable, Sendable, Equatable {
    public var paperId: String
    public var title: String
    public var abstract: String?
    public var year: Int?
    public var authors: [String]
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

public struct LiteratureSearchResult: Codable, Sendable, Equatable {
    public var query: String
    /// `semantic-scholar` or `arxiv`.
    public var source: String
    /// Whether the answer came from mlgymd's cache of earlier answers.
    public var cached: Bool
    public var fetchedAt: Date
    /// Why the answer is not fresh from Semantic Scholar, when it is not.
    public var note: String?
    public var papers: [PaperInfo]
    public init(query: String, source: String, cached: Bool, fetchedAt: Date, note: String?, papers: [PaperInfo]) {
        self.query = query
        self.source = source
        self.cached = cached
        self.fetchedAt = fetchedAt
        self.note = note
        self.papers = papers
    }
}

/// `POST /v1/literature/pdf`: a PDF's text, from a URL or from the document's bytes (base64).
public struct PDFTextRequest: Codable, Sendable, Equatable {
    public var url: String?
    public var document: String?
    public var maxPages: Int?
    public init(url: String? = nil, document: String? = nil, maxPages: Int? = nil) {
        self.url = url
        self.document = document
        self.maxPages = maxPages
    }
}

public struct PDFTextResult: Codable, Sendable, Equatable {
    public var text: String
    public var pages: Int?
    public var pagesRead: Int
    public var truncated: Bool
    public var note: String?
    public init(text: String, pages: Int?, pagesRead: Int, truncated: Bool, note: String?) {
        self.text = text
        self.pages = pages
        self.pagesRead = pagesRead
        self.truncated = truncated
        self.note = note
    }
}
