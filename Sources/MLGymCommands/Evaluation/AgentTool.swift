import Foundation
import MLGymAPI
import MLGymClient
import MLGymCore

/// mlgymctl run as `validate` or `submit` (the names it has inside a task session's sandbox): evaluates the
/// session's artefact through the session's own socket and prints what MLGym's agents are shown. As
/// `memory_write` and `memory_read` it hands over to `MemoryTool`.
public enum AgentTool {
    public static let names: Set<String> = [
        "validate", "submit", "memory_write", "memory_read", "literature_search", "parse_pdf", "parse_pdf_url",
    ]

    /// Where the session's socket is inside the sandbox.
    static var socketPath: String {
        ProcessInfo.processInfo.environment["MLGYM_AGENT_SOCKET"] ?? "/run/mlgym/agent.sock"
    }

    public static func main(name: String, arguments: [String]) -> Never {
        if name == "memory_write" || name == "memory_read" { MemoryTool.main(name: name, arguments: arguments) }
        if LiteratureTool.names.contains(name) { LiteratureTool.main(name: name, arguments: arguments) }
        if arguments.contains("--help") || arguments.contains("-h") {
            print(name == "submit"
                ? "usage: submit [--json]\n  Evaluates your artefact as this session's final submission; nothing can be evaluated after it."
                : "usage: validate [--json]\n  Evaluates your current artefact (as many times as you like) and prints its score beside the baseline's.")
            exit(0)
        }
        if let unknown = arguments.first(where: { $0 != "--json" }) {
            FileHandle.standardError.write(Data("\(name): unknown argument '\(unknown)' (try \(name) --help)\n".utf8))
            exit(2)
        }
        // A resumed run runs its committed actions again; their evaluations are recorded already.
        if ProcessInfo.processInfo.environment["MLGYM_REPLAY"] == "1" {
            print("(\(name) skipped: this action is being replayed, and its evaluation is recorded already)")
            exit(0)
        }
        do {
            let evaluation = try APIClient(socketPath: socketPath).agentEvaluate(kind: name)
            print(arguments.contains("--json") ? try Output.json(evaluation) : evaluation.observation)
            exit(evaluation.succeeded ? 0 : 1)
        } catch {
            fail(name, error, outside: "mlgymctl \(name) SESSION")
        }
    }

    /// How every in-sandbox tool ends on an error: one line on stderr, exit 1; without a session socket, a hint
    /// at what to use from outside a session.
    static func fail(_ name: String, _ error: any Error, outside: String) -> Never {
        let message: String
        if let error = error as? MLGymError {
            message = error.code == .notFound && error.message.contains(socketPath)
                ? "no session socket at \(socketPath): \(name) works inside an mlgym task session (from outside, use '\(outside)')"
                : error.message
        } else {
            message = "\(error)"
        }
        FileHandle.standardError.write(Data("\(name): \(message)\n".utf8))
        exit(1)
    }
}
