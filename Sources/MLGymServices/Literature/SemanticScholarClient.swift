import Foundation
import MLGymHTTP

/// Semantic Scholar's Academic Graph API, paper relevance search (`GET /graph/v1/paper/search`), through libcurl.
/// The key, when the operator has one, goes in `x-api-key`.
struct SemanticScholarClient: Sendable {
    static let defaultBaseURL = "https://api.semanticscholar.org"
    static let fields = "paperId,title,abstract,year,authors,openAccessPdf"

    var baseURL: String
    var apiKey: String?

    private struct Answer: Decodable {
        struct Item: Decodable {
            struct Author: Decodable { var name: String? }
            struct PDF: Decodable { var url: String? }
            var paperId: String?
            var title: String?
            var abstract: String?
            var year: Int?
            var authors: [Author]?
            var openAccessPdf: PDF?
        }
        var data: [Item]?
    }

    func search(_ query: String, limit: Int) async throws(LiteratureFailure) -> [Paper] {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let url = "\(baseURL)/graph/v1/paper/search?query=\(encoded)&limit=\(limit)&fields=\(Self.fields)"
        let headers = apiKey.map { ["x-api-key: \($0)"] } ?? []
        let response = try await LiteratureHTTP.get(url, headers: headers)
        guard let answer = try? JSONDecoder().decode(Answer.self, from: response.body) else {
            throw .malformed("Semantic Scholar: \(String(decoding: response.body.prefix(120), as: UTF8.self))")
        }
        // No `data` is how the API says "nothing found".
        let items = answer.data ?? []
        return items.compactMap { item in
            guard let id = item.paperId, let title = item.title else { return nil }
            return Paper(
                paperId: id, title: title, abstract: item.abstract, year: item.year,
                authors: (item.authors ?? []).compactMap(\.name), pdfURL: item.openAccessPdf?.url)
        }
    }
}

/// The GETs both sources share: 429 and 5xx become failures worth a retry.
enum LiteratureHTTP {
    static func get(_ url: String, headers: [String]) async throws(LiteratureFailure) -> OutboundHTTP.Response {
        switch await OutboundHTTP.sendOffThread("GET", url, headers: headers + ["Accept: */*"], body: Data(), timeout: 30) {
        case .failure(let failure):
            throw .unavailable(failure.message)
        case .success(let response):
            if response.status == 429 {
                let after = response.headers["retry-after"].flatMap(Double.init).flatMap { $0.isFinite && $0 >= 0 ? min($0, 60) : nil }
                throw .rateLimited(retryAfter: after)
            }
            guard response.status == 200 else { throw .unavailable("HTTP \(response.status)") }
            return response
        }
    }
}
