import Foundation
import MLGymTestSupport
import Synchronization
import Testing
@testable import MLGymAgent

/// The providers over real HTTP (libcurl) against a local server that speaks each API's protocol.
@Suite struct ModelProviderTests {
    let messages = [ChatMessage(.system, "be brief"), ChatMessage(.user, "task"), ChatMessage(.assistant, "```\nls\n```"), ChatMessage(.user, "a b")]

    func openAI(_ server: FakeModelServer, key: String? = "sk-test") -> OpenAIChatProvider {
        OpenAIChatProvider(model: "gpt-4o", endpoint: APIEndpoint(baseURL: server.baseURL, apiKey: key, timeout: 10), sampling: Sampling(seed: 7))
    }

    @Test func openAIChatCompletionsSendTheKeyAndReadTheReplyAndUsage() async throws {
        let server = try FakeModelServer([FakeModelServer.Reply("hello", usage: (prompt: 321, completion: 12))])
        let reply = try await openAI(server).complete(messages)
        #expect(reply == ModelReply(text: "hello", inputTokens: 321, outputTokens: 12))
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/chat/completions")
        #expect(request.authorization == "Bearer sk-test")
        #expect(request.body?.model == "gpt-4o")
        #expect(request.body?.seed == 7)
        #expect(request.body?.messages?.map(\.role) == ["system", "user", "assistant", "user"])
    }

    @Test func errorsAreSortedIntoWhatIsRetriedAndWhatEndsTheRun() async throws {
        let server = try FakeModelServer([
            .init(status: 401, errorType: "invalid_request_error", message: "Incorrect API key"),
            .init(status: 400, errorType: "invalid_request_error", errorCode: "context_length_exceeded", message: "too long"),
            .init(status: 429, headers: ["Retry-After": "0"], errorType: "rate_limit_error", message: "slow down"),
            .init(status: 503, message: "overloaded"),
            .init(raw: "{not json"),
        ])
        let provider = openAI(server)
        await #expect(throws: ModelError.authentication("HTTP 401: Incorrect API key")) { try await provider.complete(messages) }
        await #expect(throws: ModelError.contextExceeded("too long")) { try await provider.complete(messages) }
        await #expect(throws: ModelError.rateLimited("slow down", retryAfter: 0)) { try await provider.complete(messages) }
        await #expect(throws: ModelError.server(503, "overloaded")) { try await provider.complete(messages) }
        do {
            _ = try await provider.complete(messages)
            Issue.record("a malformed body was accepted")
        } catch {
            #expect(error.isRetryable)
            guard case .malformed = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func aRateLimitThenSuccessIsRetriedButABadKeyIsNot() async throws {
        let server = try FakeModelServer([
            .init(status: 429, headers: ["Retry-After": "0"], errorType: "rate_limit_error", message: "slow down"),
            .init(status: 500, message: "oops"),
            .init("finally"),
            .init(status: 401, message: "bad key"),
            .init("never asked"),
        ])
        let retries = Mutex(0)
        let model = RetryingModel(openAI(server), policy: .init(maxAttempts: 5, baseDelay: 0.01)) { _, _, _ in retries.withLock { $0 += 1 } }
        #expect(try await model.complete(messages).text == "finally")
        #expect(retries.withLock { $0 } == 2)
        await #expect(throws: ModelError.authentication("HTTP 401: bad key")) { try await model.complete(messages) }
        #expect(server.requests.count == 4)
    }

    @Test func onlyHTTPURLsAreFetched() async throws {
        let provider = OpenAIChatProvider(model: "m", endpoint: APIEndpoint(baseURL: "file:///etc", apiKey: nil, timeout: 2), sampling: Sampling())
        do {
            _ = try await provider.complete(messages)
            Issue.record("a file:// URL was read")
        } catch {
            #expect(!error.isRetryable)
            #expect("\(error)".contains("only http:// and https://"), "\(error)")
        }
    }

    @Test func anUnreachableServerIsRetriedThenReported() async throws {
        let provider = OpenAIChatProvider(model: "m", endpoint: APIEndpoint(baseURL: "http://127.0.0.1:9/v1", apiKey: nil, timeout: 2), sampling: Sampling())
        let model = RetryingModel(provider, policy: .init(maxAttempts: 2, baseDelay: 0.01))
        do {
            _ = try await model.complete(messages)
            Issue.record("an unreachable server answered")
        } catch {
            guard case .unreachable = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func anthropicMessagesPutTheSystemPromptApartAndUseTheirOwnHeaders() async throws {
        let server = try FakeModelServer([
            FakeModelServer.Reply("hi there", usage: (prompt: 50, completion: 5)),
            .init(status: 400, errorType: "invalid_request_error", message: "prompt is too long: 250000 tokens > 200000 maximum"),
        ])
        let provider = AnthropicProvider(model: "claude-sonnet-4", endpoint: APIEndpoint(baseURL: server.baseURL, apiKey: "ak-test", timeout: 10), sampling: Sampling())
        #expect(try await provider.complete(messages) == ModelReply(text: "hi there", inputTokens: 50, outputTokens: 5))
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/messages")
        #expect(request.x_api_key == "ak-test")
        #expect(request.body?.system == "be brief")
        #expect(request.body?.messages?.map(\.role) == ["user", "assistant", "user"])
        do {
            _ = try await provider.complete(messages)
            Issue.record("an overlong prompt was accepted")
        } catch {
            guard case .contextExceeded = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func aReplayAnswersWithTheRecordedResponsesInOrder() async throws {
        let traj = #"{"trajectory": [{"response": "first\n```\nls\n```"}, {"thought": "t", "action": "submit"}]}"#
        let responses = try ReplayTrajectory.responses(from: Data(traj.utf8))
        #expect(responses == ["first\n```\nls\n```", "t\n```\nsubmit\n```\n"])
        let replay = ReplayProvider(responses: responses)
        #expect(try await replay.complete([]).text == responses[0])
        #expect(try ActionParser.parse(try await replay.complete([]).text).action == "submit")
        await #expect(throws: ModelError.self) { try await replay.complete([]) }
        #expect(throws: (any Error).self) { try ReplayTrajectory.responses(from: Data("{}".utf8)) }
    }
}
