import Foundation
import MLGymHTTP

/// Anthropic's messages API (`POST {base}/messages`): the system prompt travels apart from the turns, turns must
/// alternate user/assistant, the key goes in `x-api-key`, and `max_tokens` is required.
public struct AnthropicProvider: ModelProvider {
    public static let defaultBaseURL = "https://api.anthropic.com/v1"
    static let apiVersion = "2023-06-01"

    public var model: String
    public var endpoint: APIEndpoint
    public var sampling: Sampling

    public init(model: String, endpoint: APIEndpoint, sampling: Sampling) {
        self.model = model
        self.endpoint = endpoint
        self.sampling = sampling
    }

    private struct Request: Encodable {
        struct Turn: Encodable {
            var role: String
            var content: String
        }
        var model: String
        var system: String?
        var messages: [Turn]
        var max_tokens: Int
        var temperature: Double
    }

    private struct Answer: Decodable {
        struct Block: Decodable {
            var type: String
            var text: String?
        }
        struct Usage: Decodable {
            var input_tokens: Int?
            var output_tokens: Int?
        }
        var content: [Block]
        var usage: Usage?
    }

    private struct ErrorAnswer: Decodable {
        struct Detail: Decodable {
            var type: String?
            var message: String?
        }
        var error: Detail
    }

    /// The chat in Anthropic's shape: system messages joined into `system`, consecutive turns of one role merged.
    static func turns(of messages: [ChatMessage]) -> (system: String?, turns: [(role: String, content: String)]) {
        let system = messages.filter { $0.role == .system }.map(\.content).joined(separator: "\n\n")
        var turns: [(role: String, content: String)] = []
        for message in messages where message.role != .system {
            let role = message.role.rawValue
            // The API refuses an empty turn; a model's empty reply is shown as what it was.
            let content = message.content.isEmpty ? "(empty reply)" : message.content
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].content += "\n\n" + content
            } else {
                turns.append((role, content))
            }
        }
        return (system.isEmpty ? nil : system, turns)
    }

    public func complete(_ messages: [ChatMessage]) async throws(ModelError) -> ModelReply {
        let (system, turns) = Self.turns(of: messages)
        let request = Request(
            model: model, system: system, messages: turns.map { .init(role: $0.role, content: $0.content) },
            max_tokens: sampling.maxOutputTokens ?? 8192, temperature: sampling.temperature)
        var headers = ["anthropic-version: \(Self.apiVersion)"]
        if let key = endpoint.apiKey { headers.append("x-api-key: \(key)") }
        let response = try await endpoint.post("/messages", body: request, headers: headers)
        guard response.status == 200 else { throw Self.error(for: response) }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: response.body) else {
            throw .malformed("no content in \(APIEndpoint.excerpt(response.body))")
        }
        let text = answer.content.compactMap { $0.type == "text" ? $0.text : nil }.joined()
        return ModelReply(text: text, inputTokens: answer.usage?.input_tokens ?? 0, outputTokens: answer.usage?.output_tokens ?? 0)
    }

    static func error(for response: OutboundHTTP.Response) -> ModelError {
        let detail = try? JSONDecoder().decode(ErrorAnswer.self, from: response.body).error
        let message = detail?.message ?? APIEndpoint.excerpt(response.body)
        switch response.status {
        case 401, 403:
            return .authentication("HTTP \(response.status): \(message)")
        case 429:
            return .rateLimited(message, retryAfter: APIEndpoint.retryAfter(response))
        case 400, 404, 413, 422:
            if message.lowercased().contains("prompt is too long") || message.lowercased().contains("context") && message.lowercased().contains("too long") {
                return .contextExceeded(message)
            }
            return .badRequest("HTTP \(response.status): \(message)")
        default:
            // 529 is Anthropic's "overloaded": retried like any 5xx.
            return .server(response.status, message)
        }
    }
}
