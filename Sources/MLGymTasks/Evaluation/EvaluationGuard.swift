import MLGymSandbox
import Synchronization

/// Ties a session's evaluations to the session's life: when the session ends, the sandboxes of a running
/// evaluation are stopped at once (its record says so) and no new evaluation starts. Without it a `validate`
/// typed just before a stop would keep a sandbox, and the stop, waiting for up to the task's training_timeout.
public final class EvaluationGuard: Sendable {
    private let state = Mutex<(ended: Bool, sandboxes: [ObjectIdentifier: Sandbox])>((false, [:]))

    public init() {}

    public var hasEnded: Bool { state.withLock { $0.ended } }

    /// Stops every sandbox an evaluation of the session is using, and refuses new ones.
    public func end() async {
        let running = state.withLock { state in
            state.ended = true
            return Array(state.sandboxes.values)
        }
        for sandbox in running { _ = await sandbox.stop() }
    }

    /// Registers a sandbox an evaluation made; false (and the caller must stop it) when the session has ended.
    func adopt(_ sandbox: Sandbox) -> Bool {
        state.withLock { state in
            guard !state.ended else { return false }
            state.sandboxes[ObjectIdentifier(sandbox)] = sandbox
            return true
        }
    }

    func release(_ sandbox: Sandbox) {
        _ = state.withLock { $0.sandboxes.removeValue(forKey: ObjectIdentifier(sandbox)) }
    }
}
