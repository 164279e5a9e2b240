import Synchronization

/// One follower's queue of changes: bounded, so that publishing never waits and a follower that stops reading
/// holds at most `capacity` changes. When the queue overflows, what it held is dropped and the follower is told
/// to read everything again (`resync`) instead of being given a partial history.
final class ChangeSubscription: Sendable {
    enum Next: Sendable, Equatable {
        case change(Change)
        case resync
        /// Nothing happened for the time given (the stream writes a keep-alive comment).
        case idle
        /// The feed closed, or the waiting task was cancelled.
        case closed
    }

    static let capacity = 1024

    private struct State {
        var queue: [Change] = []
        var overflowed = false
        var closed = false
        var waiter: (ticket: UInt64, continuation: CheckedContinuation<Next, Never>)?
        var lastTicket: UInt64 = 0
    }
    private let state = Mutex(State())

    func push(_ change: Change) {
        let waiter = state.withLock { state -> CheckedContinuation<Next, Never>? in
            guard !state.closed else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            if state.queue.count >= Self.capacity {
                state.queue.removeAll()
                state.overflowed = true
            } else if !state.overflowed {
                state.queue.append(change)
            }
            return nil
        }
        waiter?.resume(returning: .change(change))
    }

    /// The next change, a resync after an overflow, `idle` when nothing came for `idleAfter`, or `closed`.
    /// One caller at a time.
    func next(idleAfter: Duration) async -> Next {
        let ticket = state.withLock { state -> UInt64 in
            state.lastTicket += 1
            return state.lastTicket
        }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: idleAfter)) != nil else { return }
            self?.resume(ticket, with: .idle)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Next, Never>) in
                let ready = state.withLock { state -> Next? in
                    if state.overflowed {
                        state.overflowed = false
                        return .resync
                    }
                    if !state.queue.isEmpty { return .change(state.queue.removeFirst()) }
                    if state.closed || Task.isCancelled { return .closed }
                    state.waiter = (ticket, continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            resume(ticket, with: .closed)
        }
    }

    /// Ends the wait of call `ticket`, if it is still waiting.
    private func resume(_ ticket: UInt64, with next: Next) {
        let waiter = state.withLock { state -> CheckedContinuation<Next, Never>? in
            guard let waiter = state.waiter, waiter.ticket == ticket else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(returning: next)
    }

    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Next, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume(returning: .closed)
    }
}
