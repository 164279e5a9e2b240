/// One message of a chat with a model, in the role/content shape every provider's API takes.
public struct ChatMessage: Codable, Sendable, Equatable {
    public enum Role: String, Codable, Sendable {
        case system
        case user
        case assistant
    }

    public var role: Role
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}

/// What a model answered, and what it cost in tokens (from the API's own usage fields).
public struct ModelReply: Sendable, Equatable {
    public var text: String
    public var inputTokens: Int
    public var outputTokens: Int

    public init(text: String, inputTokens: Int = 0, outputTokens: Int = 0) {
        self.text = text
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}
