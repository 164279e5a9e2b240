import Foundation
import FoundationXML
import MLGymHTTP

/// arXiv's API (`GET /api/query`), an Atom feed, through libcurl: the fallback when Semantic Scholar does not
/// answer.
struct ArxivClient: Sendable {
    static let defaultBaseURL = "http://export.arxiv.org"

    var baseURL: String

    func search(_ query: String, limit: Int) async throws(LiteratureFailure) -> [Paper] {
        let terms = query.split(whereSeparator: \.isWhitespace).map { "all:" + $0 }.joined(separator: " AND ")
        let encoded = terms.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? terms
        let response = try await LiteratureHTTP.get("\(baseURL)/api/query?search_query=\(encoded)&start=0&max_results=\(limit)", headers: [])
        let reader = AtomReader()
        let parser = XMLParser(data: response.body)
        parser.delegate = reader
        guard parser.parse() else {
            throw .malformed("arXiv: \(parser.parserError.map { "\($0)" } ?? "not an Atom feed")")
        }
        return reader.papers
    }
}

/// Reads an arXiv Atom feed's entries: id, title, summary, published, authors and the PDF link.
private final class AtomReader: NSObject, XMLParserDelegate {
    var papers: [Paper] = []
    private var entry: [String: String]?
    private var authors: [String] = []
    private var pdf: String?
    private var text = ""
    private var inAuthor = false

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        text = ""
        switch name {
        case "entry":
            entry = [:]
            authors = []
            pdf = nil
        case "author":
            inAuthor = true
        case "link" where entry != nil:
            if attributes["title"] == "pdf" || attributes["type"] == "application/pdf" { pdf = attributes["href"] }
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let value = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        switch name {
        case "name" where inAuthor: authors.append(value)
        case "author": inAuthor = false
        case "id", "title", "summary", "published": entry?[name] = value
        case "entry":
            // arXiv reports a bad query as an entry whose id is under /api/errors: not a paper.
            if let entry, let id = entry["id"], let title = entry["title"], !id.contains("/api/errors") {
                let arxivID = id.components(separatedBy: "/abs/").last ?? id
                papers.append(Paper(
                    paperId: "arXiv:" + arxivID, title: title, abstract: entry["summary"],
                    year: entry["published"].flatMap { Int($0.prefix(4)) }, authors: authors, pdfURL: pdf))
            }
            entry = nil
        default:
            break
        }
        text = ""
    }
}
