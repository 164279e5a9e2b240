import Dispatch
import Synchronization

/// A timer that calls its handler at a deadline that can be moved or cleared, and is gone once cancelled.
///
/// Why not `Task.sleep`: a cancelled sleep keeps its task (and what it captured) in the runtime until the
/// original deadline passes. A command's wait is re-armed on every piece of output, with deadlines ten minutes
/// out; a sleep per wait held hundreds of megabytes after one large output. A dispatch timer is moved in place
/// and freed when cancelled.
final class ShellAlarm: Sendable {
    private struct State {
        var timer: (any DispatchSourceTimer)?
        var armedFor: ContinuousClock.Instant?
    }
    private let state: Mutex<State>

    init(handler: @escaping @Sendable () -> Void) {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.setEventHandler(handler: handler)
        timer.schedule(deadline: .distantFuture)
        timer.resume()
        state = Mutex(State(timer: timer))
    }

    /// Rings at `deadline` (at once when it has passed); nil disarms it.
    func set(_ deadline: ContinuousClock.Instant?) {
        state.withLock { state in
            guard let timer = state.timer, state.armedFor != deadline else { return }
            state.armedFor = deadline
            guard let deadline else {
                timer.schedule(deadline: .distantFuture)
                return
            }
            let remaining = max(.zero, deadline - .now)
            let nanoseconds = remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000
            timer.schedule(deadline: .now() + .nanoseconds(Int(min(nanoseconds, Int64(Int.max)))))
        }
    }

    /// Stops it for good.
    func cancel() {
        let timer = state.withLock { state in
            defer { state.timer = nil }
            return state.timer
        }
        timer?.cancel()
    }
}
