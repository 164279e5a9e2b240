import Foundation
import MLGymAPI
import MLGymAgent
import MLGymCore
import MLGymSandbox
import MLGymStore
import MLGymTasks
import Synchronization

/// The agent loop's view of a task session: actions run in the session's shell as the agent (and go into its
/// exec history), and evaluations are the session's.
final class SessionAgentEnvironment: AgentEnvironment {
    let manager: SessionManager
    let sessionID: String
    let owner: PeerCredentials

    /// The state the last action's epilogue read, for `state()`.
    private let lastState = Mutex<AgentState?>(nil)
    /// The last action's exec-history row, committed with its step (`takeHistory`), or on its own before the
    /// next action when no step took it.
    private let pendingHistory = Mutex<NewExec?>(nil)

    /// Whether the footer shows the memory's count and keywords.
    let usesMemory: Bool

    init(manager: SessionManager, sessionID: String, owner: PeerCredentials, usesMemory: Bool = false) {
        self.manager = manager
        self.sessionID = sessionID
        self.owner = owner
        self.usesMemory = usesMemory
    }

    func run(_ command: String, limits: CommandLimits) async throws -> CommandOutcome {
        // The epilogue also tells the viewer what the last action was (MLGym's LAST_ACTION), which ends a
        // streak of scrolls.
        let epilogue = "export LAST_ACTION=" + PersistentShell.ansiQuoted(command) + "; " + SessionManager.stateSnippet
        await flushHistory()
        let answer: (result: ExecResult, epilogue: String?, history: NewExec?)
        do {
            answer = try await manager.exec(
                sessionID, ExecRequest(command: command, timeout: limits.total, noOutputTimeout: limits.withoutOutput), for: owner,
                epilogue: epilogue)
        } catch {
            guard error.code == .invalidState || error.code == .notFound else { throw error }
            throw EnvironmentGone("the run's session \(sessionID) ended: \(error.message)")
        }
        let result = answer.result
        let epilogueOutput = answer.epilogue
        pendingHistory.withLock { $0 = answer.history }
        lastState.withLock { $0 = epilogueOutput.map(SessionManager.agentState(parsing:)) }
        let timeout: CommandOutcome.Timeout? = result.timedOut ? (result.timedOutWithoutOutput == true ? .noOutput : .total) : nil
        return CommandOutcome(output: result.output ?? "", exitCode: result.exitCode, timeout: timeout, durationMs: result.durationMs)
    }

    /// The last action's exec-history row, for the step that commits it.
    func takeHistory() -> NewExec? {
        pendingHistory.withLock { value in
            defer { value = nil }
            return value
        }
    }

    /// Commits a history row no step took (a replayed action, a run that ended before recording).
    func flushHistory() async {
        guard let history = takeHistory() else { return }
        do {
            _ = try await manager.store.sessions.recordExec(history)
        } catch {
            DaemonLog.warning("session \(sessionID): cannot record an exec in its history (\(error)); the step's own record is kept")
        }
    }

    func state() async -> AgentState {
        var state: AgentState
        if let known = lastState.withLock({ $0 }) {
            state = known
        } else {
            state = await manager.agentState(of: sessionID)
        }
        if usesMemory { state.memory = await memoryLines() }
        return state
    }

    /// MLGym's two memory lines for the footer.
    func memoryLines() async -> String? {
        try? await manager.agentMemorySummary(sessionID).promptLines
    }

    func submission() async -> FinalEvaluation? {
        guard let final = await manager.finalSubmission(of: sessionID) else { return nil }
        return Self.final(final.status, message: final.message)
    }

    func autoSubmit(reason: ExitReason) async -> FinalEvaluation {
        do {
            let evaluation = try await manager.evaluate(sessionID, kind: "autosubmit", for: owner)
            return Self.final(evaluation.status, message: evaluation.message)
        } catch {
            return .error("unknown_error: \(error.message)")
        }
    }

    static func final(_ status: String, message: String?) -> FinalEvaluation {
        switch EvaluationOutcome.Status(rawValue: status) {
        case .succeeded?: .succeeded
        case .artefactMissing?: .artefactMissing
        case .failed?: .failed
        case .timedOut?: .error("evaluation_timeout")
        default: .error("unknown_error: \(message ?? status)")
        }
    }
}

extension SessionManager {
    /// The open file and working directory of a session's shell (MLGym's `state` command), read without a trace
    /// in the exec history. The viewer's state file is the agent's own: it only feeds the prompt's footer.
    func agentState(of sessionID: String) async -> AgentState {
        guard let session = live[sessionID] else { return AgentState() }
        guard let result = try? await session.shell().run(Self.stateSnippet, timeout: .seconds(5)), !result.timedOut else { return AgentState() }
        return Self.agentState(parsing: result.output)
    }

    /// Prints the working directory, the viewer's state file, then a record separator and the editor's diff of
    /// the last edit (cleared once read, so a step shows only its own; at most 70,000 characters, since the agent can
    /// write that file too). Builtins only (no cat): it runs after every
    /// step, and a fork would be most of its cost.
    static let stateSnippet = #"printf '%s\n' "$PWD"; __mlgym_s="${MLGYM_ACI_STATE:-$HOME/.mlgym}"; __mlgym_v=; { IFS= read -r -d '' __mlgym_v < "$__mlgym_s/viewer.json"; } 2>/dev/null; printf '%s' "$__mlgym_v"; __mlgym_v=; if [ -s "$__mlgym_s/last-edit.diff" ]; then { IFS= read -r -N 70000 __mlgym_v < "$__mlgym_s/last-edit.diff"; : > "$__mlgym_s/last-edit.diff"; } 2>/dev/null; fi; printf '\n\036%s' "$__mlgym_v""#

    static func agentState(parsing output: String) -> AgentState {
        let lines = output.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        var state = AgentState(workingDirectory: lines.first.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "")
        guard lines.count > 1 else { return state }
        let parts = lines[1].split(separator: "\n\u{1e}", maxSplits: 1, omittingEmptySubsequences: false)
        struct Viewer: Decodable { var open_file: String? }
        if let viewer = try? JSONDecoder().decode(Viewer.self, from: Data(parts[0].utf8)), let file = viewer.open_file {
            state.openFile = file
        }
        if parts.count > 1, !parts[1].isEmpty { state.lastEdit = String(parts[1]) }
        return state
    }
}
