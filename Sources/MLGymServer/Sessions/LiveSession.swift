import MLGymCore
import MLGymSandbox
import MLGymStore
import MLGymTasks
import Synchronization

/// A running session in memory: its sandbox, its shell (started again if it ends), and the terminals attached.
final class LiveSession: Sendable {
    let id: String
    /// Whose session it is (for who may follow its changes).
    let ownerUID: UInt32
    let sandbox: Sandbox
    /// The session's own socket for the agent's validate/submit; nil for a bare session.
    let agentSocket: AgentSocket?
    /// The proxy to the package indexes, for a session in `packages` network mode.
    let packageProxy: PackageProxy?
    /// Ends a running evaluation when the session ends.
    let evaluations = EvaluationGuard()
    /// The agent run whose actions this session's shell runs, if any: a person attaching would take the shell
    /// from it, so attach is refused while it is set.
    let drivingRun = Mutex<String?>(nil)
    /// The session's final submission once it has one (also in the store; kept here for cheap checks).
    let finalSubmission = Mutex<EvaluationRecord?>(nil)
    private let state: Mutex<State>

    private struct State {
        var shell: PersistentShell
        var attached = 0
        /// The start of a new shell, shared by every caller that finds the old one ended.
        var restarting: Task<PersistentShell, any Error>?
    }

    init(
        id: String, ownerUID: UInt32, sandbox: Sandbox, shell: PersistentShell, agentSocket: AgentSocket? = nil,
        packageProxy: PackageProxy? = nil
    ) {
        self.id = id
        self.ownerUID = ownerUID
        self.sandbox = sandbox
        self.agentSocket = agentSocket
        self.packageProxy = packageProxy
        state = Mutex(State(shell: shell))
    }

    /// The session's shell; a new one when the last ended (someone typed `exit` at an attached terminal).
    func shell() async throws -> PersistentShell {
        let restart: Task<PersistentShell, any Error>? = state.withLock { state in
            guard state.shell.hasEnded else { return nil }
            if let running = state.restarting { return running }
            let sandbox = sandbox
            let task = Task { try await PersistentShell.start(in: sandbox) }
            state.restarting = task
            return task
        }
        guard let restart else { return state.withLock { $0.shell } }
        do {
            let fresh = try await restart.value
            state.withLock { state in
                if state.shell.hasEnded { state.shell = fresh }
                state.restarting = nil
            }
            return state.withLock { $0.shell }
        } catch {
            state.withLock { $0.restarting = nil }
            throw error
        }
    }

    var attachedClients: Int { state.withLock { $0.attached } }

    /// Counts an attached terminal in or out; returns how many are attached after the change.
    func changeAttached(by delta: Int) -> Int {
        state.withLock { state in
            state.attached += delta
            return state.attached
        }
    }

    /// Ends everything the session runs: a running evaluation first (so nothing waits for it), then the
    /// sandbox, then the agent's socket and the package proxy.
    func end() async {
        await endProcesses().value
    }

    /// `end` in two halves: returns once nothing of the session runs any more, with a task that finishes
    /// removing its storage (cgroup, volume, directories), for a caller that answers its client in between.
    func endProcesses() async -> Task<Void, Never> {
        await evaluations.end()
        let removal = await sandbox.stopProcesses()
        await agentSocket?.close()
        await packageProxy?.close()
        return Task { _ = await removal.value }
    }
}
