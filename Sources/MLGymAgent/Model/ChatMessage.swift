/// One message of a chat with a model, in the role/content shape every provider's API takes.
public struct ChatMessage: Codable, Sendable, Equatable {
    public enum Role: String, Codable, Sendable {
        case system
        case user
        case assistant
    }

    public var role: Role
    public var content: String
    /// A demonstration from an agent config: sent like any message, never elided by the history processor.
    public var isDemonstration: Bool

    public init(_ role: Role, _ content: String, isDemonstration: Bool = false) {
        self.role = role
        self.content = content
        self.isDemonstration = isDemonstration
    }

    /// Only `role` and `content` go over the wire (an API would refuse a field it does not know).
    private enum CodingKeys: String, CodingKey { case role, content }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(Role.self, forKey: .role)
        content = try container.decode(String.self, forKey: .content)
        isDemonstration = false
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
