/// Something that answers a chat: a remote API, a recorded trajectory, or a person.
public protocol ModelProvider: Sendable {
    /// One completion for the whole conversation so far. Implementations do not retry; `RetryingModel` does.
    func complete(_ messages: [ChatMessage]) async throws(ModelError) -> ModelReply
}
