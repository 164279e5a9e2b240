import Foundation
import MLGymAPI
import MLGymAgent
import MLGymCore
import MLGymSandbox
import MLGymStore
import MLGymTasks

/// The agent loop's view of a task session: actions run in the session's shell as the agent (and go into its
/// exec history), and evaluations are the session's.
struct SessionAgentEnvironment: AgentEnvironment {
    let manager: SessionManager
    let sessionID: String
    let owner: PeerCredentials

    func run(_ command: String, limits: CommandLimits) async throws -> CommandOutcome {
        let result = try await manager.exec(
            sessionID, ExecRequest(command: command, timeout: limits.total, noOutputTimeout: limits.withoutOutput), for: owner)
        let timeout: CommandOutcome.Timeout? = result.timedOut ? (result.timedOutWithoutOutput == true ? .noOutput : .total) : nil
        return CommandOutcome(output: result.output ?? "", exitCode: result.exitCode, timeout: timeout, durationMs: result.durationMs)
    }

    func state() async -> AgentState {
        await manager.agentState(of: sessionID)
    }

    func submission() async -> FinalEvaluation? {
        guard let records = try? await manager.store.evaluations.evaluations(sessionID),
              let final = records.last(where: SessionManager.isFinal)
        else { return nil }
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
        let snippet = #"printf '%s\n' "$PWD"; cat "${MLGYM_ACI_STATE:-$HOME/.mlgym}/viewer.json" 2>/dev/null"#
        guard let result = try? await session.shell().run(snippet, timeout: .seconds(5)), !result.timedOut else { return AgentState() }
        let lines = result.output.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        var state = AgentState(workingDirectory: lines.first.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "")
        struct Viewer: Decodable { var open_file: String? }
        if lines.count > 1, let viewer = try? JSONDecoder().decode(Viewer.self, from: Data(lines[1].utf8)), let file = viewer.open_file {
            state.openFile = file
        }
        return state
    }
}
