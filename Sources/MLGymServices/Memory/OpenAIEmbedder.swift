import Foundation
import MLGymCore
import MLGymHTTP

/// Embeddings from an OpenAI-compatible `POST {base}/embeddings` (OpenAI, vLLM, Ollama, a local TEI server).
public struct OpenAIEmbedder: TextEmbedder {
    public let baseURL: String
    public let model: String
    let apiKey: String?
    public var name: String { "openai:" + model }

    public init(baseURL: String, model: String, apiKey: String?) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.apiKey = apiKey
    }

    private struct Request: Encodable {
        var model: String
        var input: [String]
    }

    private struct Answer: Decodable {
        struct Item: Decodable {
            var index: Int?
            var embedding: [Float]
        }
        var data: [Item]
    }

    public func embed(_ texts: [String]) async throws(MLGymError) -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let body: Data
        do {
            body = try JSONEncoder().encode(Request(model: model, input: texts))
        } catch {
            throw MLGymError(.invalidArgument, "cannot encode an embeddings request: \(error)")
        }
        var headers = ["Content-Type: application/json"]
        if let apiKey { headers.append("Authorization: Bearer \(apiKey)") }
        let response: OutboundHTTP.Response
        switch await OutboundHTTP.sendOffThread("POST", baseURL + "/embeddings", headers: headers, body: body, timeout: 120) {
        case .success(let answer): response = answer
        case .failure(let failure): throw MLGymError(.unsupported, "the embeddings server \(baseURL) cannot be reached: \(failure.message)")
        }
        guard response.status == 200, let answer = try? JSONDecoder().decode(Answer.self, from: response.body), answer.data.count == texts.count else {
            throw MLGymError(.system, "the embeddings server \(baseURL) answered HTTP \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
        let ordered = answer.data.enumerated().sorted { ($0.element.index ?? $0.offset) < ($1.element.index ?? $1.offset) }
        return ordered.map { Vectors.normalised($0.element.embedding) }
    }
}
