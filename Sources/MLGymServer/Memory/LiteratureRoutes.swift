import Foundation
import MLGymAPI
import MLGymCore
import MLGymSandbox
import MLGymServices
import NIOHTTP1

/// `/v1/literature`: paper search and PDF text, for people; the agent's socket serves the same to agents.
enum LiteratureRoutes {
    struct Services: Sendable {
        let literature: LiteratureService
        let engine: SandboxEngine
        /// Where downloaded and uploaded PDFs wait while they are read (root's).
        let scratch: String
        /// Whether PDF URLs may lead to loopback or private addresses.
        var privateAddresses = false
        /// PDFs read at once, whoever asks.
        let pdfJobs = ConcurrencyLimit(2)
    }

    static func register(on router: inout Router, services: Services) {
        router.add(.POST, "/v1/literature/search") { request in
            await answer { .json(try await search(try request.decode(LiteratureSearchRequest.self), services: services)) }
        }
        router.add(.POST, "/v1/literature/pdf") { request in
            await answer { .json(try await pdf(try request.decode(PDFTextRequest.self), services: services)) }
        }
    }

    static func search(_ body: LiteratureSearchRequest, services: Services) async throws(MLGymError) -> LiteratureSearchResult {
        let result = try await services.literature.search(body.query, limit: body.limit ?? 20)
        return LiteratureSearchResult(
            query: result.query, source: result.source, cached: result.cached, fetchedAt: result.fetchedAt, note: result.note,
            papers: result.papers.map {
                PaperInfo(paperId: $0.paperId, title: $0.title, abstract: $0.abstract, year: $0.year, authors: $0.authors, pdfURL: $0.pdfURL)
            })
    }

    static func pdf(_ body: PDFTextRequest, services: Services) async throws(MLGymError) -> PDFTextResult {
        var limits = PDFText.Limits()
        limits.privateAddresses = services.privateAddresses
        if let pages = body.maxPages {
            guard (1...500).contains(pages) else { throw MLGymError(.invalidArgument, "maxPages \(pages) must be 1 to 500") }
            limits.pages = pages
        }
        try? FileManager.default.createDirectory(atPath: services.scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let text: PDFText
        let fixedLimits = limits
        if let url = body.url {
            text = try await services.pdfJobs.run { () async throws(MLGymError) in
                try await PDFText.fromURL(url, engine: services.engine, scratch: services.scratch, limits: fixedLimits)
            }
        } else if let document = body.document {
            guard let data = Data(base64Encoded: document) else { throw MLGymError(.invalidArgument, "document is not base64") }
            text = try await services.pdfJobs.run { () async throws(MLGymError) in
                try await PDFText.fromData(data, engine: services.engine, scratch: services.scratch, limits: fixedLimits)
            }
        } else {
            throw MLGymError(.invalidArgument, "give a url or a document")
        }
        return PDFTextResult(text: text.text, pages: text.pages, pagesRead: text.pagesRead, truncated: text.truncated, note: text.note)
    }
}
