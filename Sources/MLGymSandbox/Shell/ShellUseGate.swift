import MLGymCore
import Synchronization

/// Who has a persistent shell, and the queue of callers waiting for it: a caller that finds the shell busy
/// sleeps until it is released (woken in arrival order), instead of polling. A waiter whose task is cancelled
/// leaves the queue and gets `CancellationError`, as the old sleeping loop did.
final class ShellUseGate: Sendable {
    /// Nobody, one framed command, a person at an attached terminal, or the daemon giving the shell back to the
    /// agent after the last terminal detached.
    enum Use: Sendable { case idle, command, interactive, releasing }

    private struct State {
        var current = Use.idle
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextWaiter: UInt64 = 0
        /// Who waits for the shell to become interactive (a second terminal joining the first).
        var interactiveWaiters: [(id: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    var current: Use { state.withLock { $0.current } }

    /// Callers waiting now (for tests and diagnostics).
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Takes the shell for `wanted`, waiting while a command (or a release) has it. A person at the terminal
    /// is not waited for: that is refused at once.
    func acquire(for wanted: Use) async throws {
        while true {
            enum Step { case taken, refused, wait(UInt64) }
            var joining: [CheckedContinuation<Void, Never>] = []
            let step = state.withLock { state -> Step in
                switch state.current {
                case .idle:
                    state.current = wanted
                    if wanted == .interactive {
                        joining = state.interactiveWaiters.map(\.continuation)
                        state.interactiveWaiters.removeAll()
                    }
                    return .taken
                case .interactive:
                    return .refused
                case .command, .releasing:
                    state.nextWaiter += 1
                    return .wait(state.nextWaiter)
                }
            }
            joining.forEach { $0.resume() }
            switch step {
            case .taken: return
            case .refused:
                throw MLGymError(.invalidState, "a terminal is attached to the session's shell (detach it with ctrl-p ctrl-q, then retry)")
            case .wait(let id):
                let woken = await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                        let resumeNow = state.withLock { state -> Bool in
                            // Released, or cancelled, between the check and here: look again at once.
                            guard state.current != .idle, !Task.isCancelled else { return true }
                            state.waiters.append((id, continuation))
                            return false
                        }
                        if resumeNow { continuation.resume(returning: !Task.isCancelled) }
                    }
                } onCancel: {
                    let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                        guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                        return state.waiters.remove(at: index).continuation
                    }
                    waiter?.resume(returning: false)
                }
                if !woken || Task.isCancelled { throw CancellationError() }
            }
        }
    }

    /// Moves from `from` to `to` if the shell is in `from`; false otherwise.
    /// Returns once the shell is interactive (at once if it is), or when the waiting task is cancelled.
    func waitUntilInteractive() async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard state.current != .interactive, !Task.isCancelled else { return true }
                    state.interactiveWaiters.append((id, continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let index = state.interactiveWaiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.interactiveWaiters.remove(at: index).continuation
            }
            waiter?.resume()
        }
    }

    func transition(from: Use, to: Use) -> Bool {
        state.withLock { state in
            guard state.current == from else { return false }
            state.current = to
            return true
        }
    }

    /// Gives the shell back and wakes the longest waiter, which takes it if nobody came first.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.current = .idle
            return state.waiters.isEmpty ? nil : state.waiters.removeFirst().continuation
        }
        next?.resume(returning: true)
    }
}
