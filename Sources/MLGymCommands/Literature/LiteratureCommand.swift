import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient

/// `mlgymctl lit`: the literature search and PDF text agents get, for people.
struct LiteratureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lit", abstract: "Search papers and read PDFs, as agents do (see docs/literature.md).",
        subcommands: [LiteratureSearchCommand.self, LiteraturePDFCommand.self])
}

struct LiteratureSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search papers: Semantic Scholar, else arXiv, else mlgymd's cache.")
    @OptionGroup var client: ClientOptions
    @Option(name: .shortAndLong, help: "Papers to return.") var limit = 20
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "The query.") var query: String

    func run() async throws {
        let result = try client.client.literatureSearch(LiteratureSearchRequest(query: query, limit: limit))
        if json {
            print(try Output.json(result))
            return
        }
        let origin = result.cached ? "cached \(Output.age(of: result.fetchedAt))" : "fresh"
        print("\(result.papers.count) papers from \(result.source) (\(origin))" + (result.note.map { "; \($0)" } ?? ""))
        for paper in result.papers {
            let year = paper.year.map { " (\($0))" } ?? ""
            print("\n\(paper.title)\(year)\n  \(paper.authors.prefix(4).joined(separator: ", "))\(paper.authors.count > 4 ? ", …" : "")\n  \(paper.paperId)\(paper.pdfURL.map { "  pdf: \($0)" } ?? "")")
        }
    }
}

struct LiteraturePDFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pdf", abstract: "Print a PDF's text (read by poppler in a sandbox with no network).")
    @OptionGroup var client: ClientOptions
    @Option(help: "Pages to read at most.") var pages = 20
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "An http(s) URL, or a local file.") var source: String

    func run() async throws {
        var request = PDFTextRequest(maxPages: pages)
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            request.url = source
        } else {
            request.document = try Data(contentsOf: URL(fileURLWithPath: source)).base64EncodedString()
        }
        let result = try client.client.pdfText(request)
        print(json ? try Output.json(result) : result.text)
    }
}
