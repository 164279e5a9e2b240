import Foundation
import Glibc

/// `Tests/Servers/fake_llm.py` on loopback: a real HTTP server speaking OpenAI's chat completions and
/// Anthropic's messages, answering from a script, so the production libcurl client is what tests exercise.
public final class FakeModelServer: @unchecked Sendable {
    /// One scripted answer.
    public struct Reply: Encodable, Sendable {
        public var content: String?
        public var status: Int?
        public var headers: [String: String]?
        public var usage: [String: Int]?
        public var delay: Double?
        public var raw: String?
        public var error_type: String?
        public var error_code: String?
        public var message: String?

        public init(
            _ content: String? = nil, status: Int? = nil, headers: [String: String]? = nil, usage: (prompt: Int, completion: Int)? = nil,
            delay: Double? = nil, raw: String? = nil, errorType: String? = nil, errorCode: String? = nil, message: String? = nil
        ) {
            self.content = content
            self.status = status
            self.headers = headers
            self.usage = usage.map { ["prompt_tokens": $0.prompt, "completion_tokens": $0.completion] }
            self.delay = delay
            self.raw = raw
            self.error_type = errorType
            self.error_code = errorCode
            self.message = message
        }

        /// A reply in MLGym's format: a discussion, then the command in one fenced block.
        public static func command(_ command: String, thought: String = "Next step.", usage: (prompt: Int, completion: Int)? = (1000, 100)) -> Reply {
            Reply("DISCUSSION\n\(thought)\n\n```\n\(command)\n```\n", usage: usage)
        }
    }

    /// One request the server received.
    public struct Request: Decodable, Sendable {
        public struct Body: Decodable, Sendable {
            public struct Message: Decodable, Sendable {
                public var role: String
                public var content: String
            }
            public var model: String?
            public var messages: [Message]?
            public var system: String?
            public var seed: Int?
        }
        public var n: Int
        public var path: String
        public var authorization: String?
        public var x_api_key: String?
        public var body: Body?
    }

    private struct Script: Encodable {
        var replies: [Reply]
        var cycle: Bool
        var fallback: Reply?
    }

    public let server: LoopbackServer

    public init(_ replies: [Reply], cycle: Bool = false, fallback: Reply? = nil) throws {
        let directory = try TemporaryTaskRoot()
        let script = try JSONEncoder().encode(Script(replies: replies, cycle: cycle, fallback: fallback))
        try directory.write("script.json", String(decoding: script, as: UTF8.self))
        server = try LoopbackServer(
            script: Self.scriptPath,
            arguments: ["--script", directory.path + "/script.json", "--port-file", "{port}", "--log", directory.path + "/requests.jsonl"],
            directory: directory)
    }

    public var port: Int { server.port }

    /// The base URL a provider is given (`…/v1`).
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Every request so far, in order.
    public var requests: [Request] {
        let text = (try? String(contentsOfFile: server.directory.path + "/requests.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    public func stop() { server.stop() }

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Servers/fake_llm.py").path
    }
}
