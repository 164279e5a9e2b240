import MLGymCore
import MLGymSandbox
import Synchronization

/// A running session in memory: its sandbox, its shell (started again if it ends), and the terminals attached.
final class LiveSession: Sendable {
    let id: String
    let sandbox: Sandbox
    private let state: Mutex<State>

    private struct State {
        var shell: PersistentShell
        var attached = 0
    }

    init(id: String, sandbox: Sandbox, shell: PersistentShell) {
        self.id = id
        self.sandbox = sandbox
        state = Mutex(State(shell: shell))
    }

    /// The session's shell; a new one when the last ended (someone typed `exit` at an attached terminal).
    func shell() async throws -> PersistentShell {
        let current = state.withLock { $0.shell }
        guard current.hasEnded else { return current }
        let fresh = try await PersistentShell.start(in: sandbox)
        state.withLock { $0.shell = fresh }
        return fresh
    }

    var attachedClients: Int { state.withLock { $0.attached } }

    /// Counts an attached terminal in or out; returns how many are attached after the change.
    func changeAttached(by delta: Int) -> Int {
        state.withLock { state in
            state.attached += delta
            return state.attached
        }
    }
}
