import Foundation
import MLGymHTTP

/// OpenAI's chat-completions protocol (`POST {base}/chat/completions`), which OpenAI, vLLM, llama.cpp's server and
/// Ollama all speak. The key goes as a Bearer token; token usage comes from the answer's `usage` fields.
public struct OpenAIChatProvider: ModelProvider {
    public static let defaultBaseURL = "https://api.openai.com/v1"

    public var model: String
    public var endpoint: APIEndpoint
    public var sampling: Sampling

    public init(model: String, endpoint: APIEndpoint, sampling: Sampling) {
        self.model = model
        self.endpoint = endpoint
        self.sampling = sampling
    }

    private struct Request: Encodable {
        var model: String
        var messages: [ChatMessage]
        var temperature: Double?
        var top_p: Double?
        var seed: Int?
        var max_tokens: Int?
    }

    /// OpenAI's reasoning models (o1, o3, o4-mini…) refuse sampling parameters: they are left out for them.
    static func takesSampling(_ model: String) -> Bool {
        let name = model.split(separator: "/").last.map(String.init) ?? model
        return !(name.count >= 2 && name.first == "o" && name.dropFirst().first?.isNumber == true)
    }

    private struct Answer: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String? }
            var message: Message
        }
        struct Usage: Decodable {
            var prompt_tokens: Int?
            var completion_tokens: Int?
        }
        var choices: [Choice]
        var usage: Usage?
    }

    private struct ErrorAnswer: Decodable {
        struct Detail: Decodable {
            var message: String?
            var type: String?
            var code: String?
        }
        var error: Detail
    }

    public func complete(_ messages: [ChatMessage]) async throws(ModelError) -> ModelReply {
        let sampled = Self.takesSampling(model)
        let request = Request(
            model: model, messages: messages, temperature: sampled ? sampling.temperature : nil,
            top_p: sampled ? sampling.topP : nil, seed: sampling.seed, max_tokens: sampling.maxOutputTokens)
        let headers = endpoint.apiKey.map { ["Authorization: Bearer \($0)"] } ?? []
        let response = try await endpoint.post("/chat/completions", body: request, headers: headers)
        guard response.status == 200 else { throw Self.error(for: response) }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: response.body), let choice = answer.choices.first else {
            throw .malformed("no choices in \(APIEndpoint.excerpt(response.body))")
        }
        let text = choice.message.content ?? ""
        // A server that reports no usage (some local ones) would make every call free and cost limits void:
        // estimate about four characters a token instead.
        return ModelReply(
            text: text, inputTokens: answer.usage?.prompt_tokens ?? messages.reduce(0) { $0 + $1.content.utf8.count } / 4,
            outputTokens: answer.usage?.completion_tokens ?? text.utf8.count / 4)
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
            // OpenAI says `context_length_exceeded`; vLLM and others only say it in words.
            let text = (detail?.code ?? "") + " " + message
            if text.contains("context_length_exceeded") || text.lowercased().contains("maximum context length") {
                return .contextExceeded(message)
            }
            return .badRequest("HTTP \(response.status): \(message)")
        default:
            return .server(response.status, message)
        }
    }
}

/// How a model samples: MLGym-Bench ran with temperature 0 and top-p 0.95.
public struct Sampling: Sendable, Codable, Equatable {
    public var temperature: Double
    public var topP: Double
    /// Sent where the API takes one (OpenAI-compatible servers), so seeds give different runs.
    public var seed: Int?
    public var maxOutputTokens: Int?

    public init(temperature: Double = 0, topP: Double = 0.95, seed: Int? = nil, maxOutputTokens: Int? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
        self.maxOutputTokens = maxOutputTokens
    }
}
