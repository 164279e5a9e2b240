import Synchronization

/// A person at a terminal is the model: each call waits until `provide` hands in the next action (mlgymctl run
/// --model human reads it from its terminal and posts it to the run). The text is wrapped in a command block so
/// the parser takes it as the action.
public final class HumanProvider: ModelProvider {
    private struct State {
        var pending: [String] = []
        var waiter: CheckedContinuation<String?, Never>?
        var closed = false
        var waiting = false
    }
    private let state = Mutex(State())
    /// Told `true` when a call starts waiting for a person's action and `false` when it has one (mlgymd tells
    /// the run's followers, so a client asks for the action without polling).
    private let onWaiting: @Sendable (Bool) -> Void

    public init(onWaiting: @escaping @Sendable (Bool) -> Void = { _ in }) {
        self.onWaiting = onWaiting
    }

    /// Whether the run is waiting for a person's next action.
    public var isWaiting: Bool { state.withLock { $0.waiting } }

    public func provide(_ action: String) {
        let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                state.waiting = false
                return waiter
            }
            state.pending.append(action)
            return nil
        }
        if let waiter {
            onWaiting(false)
            waiter.resume(returning: action)
        }
    }

    /// Ends any wait (the run was stopped).
    public func close() {
        let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    public func complete(_ messages: [ChatMessage]) async throws(ModelError) -> ModelReply {
        let action: String? = await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> String?? in
                if !state.pending.isEmpty { return .some(state.pending.removeFirst()) }
                if state.closed { return .some(nil) }
                state.waiter = continuation
                state.waiting = true
                return nil
            }
            if let ready { continuation.resume(returning: ready) } else { onWaiting(true) }
        }
        guard let action else { throw .cancelled }
        return ModelReply(text: "```\n\(action)\n```")
    }
}
