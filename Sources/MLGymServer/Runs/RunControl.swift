import MLGymAgent
import Synchronization

/// What the daemon holds for a run in progress: its stop switch, and the person's input box for a human model.
final class RunControl: Sendable {
    private let stopped = Mutex(false)
    let human: HumanProvider?
    /// The run's task; its end is awaited by a stop request.
    let finished = Mutex<Task<Void, Never>?>(nil)

    init(human: HumanProvider?) {
        self.human = human
    }

    var isStopped: Bool { stopped.withLock { $0 } }

    func stop() {
        stopped.withLock { $0 = true }
        human?.close()
    }
}
