/// What the model sees of the conversation: MLGym's `LastNObservations`. The system message, every assistant
/// message, the first user message (the task) and the last `keep` user messages stay whole; each other user
/// message becomes one line saying how many lines were omitted. The stored history stays complete.
public struct HistoryProcessor: Sendable, Equatable {
    /// MLGym's default is 5.
    public var keep: Int

    public init(keep: Int = 5) {
        self.keep = keep
    }

    public func view(of history: [ChatMessage]) -> [ChatMessage] {
        // Demonstrations are shown whole and are not counted among the observations (as in MLGym).
        let userIndices = history.indices.filter { history[$0].role == .user && !history[$0].isDemonstration }
        guard let first = userIndices.first else { return history }
        let whole = Set([first] + userIndices.suffix(keep))
        return history.enumerated().map { index, message in
            guard message.role == .user, !message.isDemonstration, !whole.contains(index) else { return message }
            let lines = message.content.split(separator: "\n", omittingEmptySubsequences: false).count
            return ChatMessage(.user, "Old output omitted (\(lines) lines)")
        }
    }
}
