import Foundation
import MLGymHTTP

/// Where a provider's API is and how to reach it: the base URL (ending in `/v1`), the key, and a time limit.
public struct APIEndpoint: Sendable {
    public var baseURL: String
    /// nil for servers that need none (a local vLLM or Ollama).
    public var apiKey: String?
    /// Seconds one call may take before it counts as unanswered (and is retried).
    public var timeout: Double

    public init(baseURL: String, apiKey: String?, timeout: Double = 600) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.timeout = timeout
    }

    /// POSTs `body` as JSON to `path` under the base URL; transport failures become `ModelError`s.
    func post(_ path: String, body: some Encodable, headers: [String]) async throws(ModelError) -> OutboundHTTP.Response {
        let data: Data
        do {
            data = try JSONEncoder().encode(body)
        } catch {
            throw .badRequest("cannot encode the request: \(error)")
        }
        let result = await OutboundHTTP.sendOffThread(
            "POST", baseURL + path, headers: ["Content-Type: application/json"] + headers, body: data, timeout: timeout)
        switch result {
        case .success(let response): return response
        case .failure(.cancelled): throw .cancelled
        case .failure(.unreachable(let detail)): throw .unreachable("\(baseURL + path): \(detail)")
        case .failure(.other(let detail)): throw .badRequest("\(baseURL + path): \(detail)")
        case .failure(let failure): throw .unreachable("\(baseURL + path): \(failure.message)")
        }
    }

    /// The `Retry-After` header in seconds, when the server sent a number.
    static func retryAfter(_ response: OutboundHTTP.Response) -> Double? {
        // The server may be anyone's: only a sane number of seconds is taken.
        guard let value = response.headers["retry-after"].flatMap(Double.init), value.isFinite, value >= 0 else { return nil }
        return min(value, 3600)
    }

    /// The start of a body, for error messages.
    static func excerpt(_ body: Data) -> String {
        let text = String(decoding: body.prefix(400), as: UTF8.self)
        return body.count > 400 ? text + "…" : text
    }
}
