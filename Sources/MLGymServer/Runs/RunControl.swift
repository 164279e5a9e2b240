import MLGymAgent
import Synchronization

/// What the daemon holds for a run in progress: its stop switch, and the person's input box for a human model.
final class RunControl: Sendable {
    private let stopped = Mutex(false)
    let human: HumanProvider?
    /// The running loop, cancelled by a stop so that a model call in flight ends at once.
    private let loop = Mutex<Task<AgentLoop.Outcome, Never>?>(nil)

    init(human: HumanProvider?) {
        self.human = human
    }

    var isStopped: Bool { stopped.withLock { $0 } }

    func stop() {
        stopped.withLock { $0 = true }
        human?.close()
        loop.withLock { $0 }?.cancel()
    }

    /// Runs the loop as a task of its own that `stop` can cancel.
    func run(_ body: @escaping @Sendable () async -> AgentLoop.Outcome) async -> AgentLoop.Outcome {
        let task = Task { await body() }
        loop.withLock { $0 = task }
        if isStopped { task.cancel() }
        return await task.value
    }
}
