import Glibc
import MLGymToolSupport

/// `validate` and `submit` inside a task session: evaluates the session's artefact through the session's own
/// socket and prints what MLGym's agents are shown (or the evaluation's JSON with `--json`).
enum EvaluationTool {
    static let names: Set<String> = ["validate", "submit"]

    static func main(name: String, arguments: [String]) -> Never {
        let call = AgentSocketCall(tool: name, outside: "mlgymctl \(name) SESSION")
        if arguments.contains("--help") || arguments.contains("-h") {
            FileIO.print(name == "submit"
                ? "usage: submit [--json]\n  Evaluates your artefact as this session's final submission; nothing can be evaluated after it.\n"
                : "usage: validate [--json]\n  Evaluates your current artefact (as many times as you like) and prints its score beside the baseline's.\n")
            exit(0)
        }
        if let unknown = arguments.first(where: { $0 != "--json" }) {
            FileIO.print("\(name): unknown argument '\(unknown)' (try \(name) --help)\n", to: STDERR_FILENO)
            exit(2)
        }
        // A resumed run runs its committed actions again; their evaluations are recorded already.
        if ProcessEnvironment.value("MLGYM_REPLAY") == "1" {
            FileIO.print("(\(name) skipped: this action is being replayed, and its evaluation is recorded already)\n")
            exit(0)
        }
        let evaluation = call.post("/v1/\(name)", .object([:]))
        FileIO.print((arguments.contains("--json") ? JSONWriter.text(evaluation, pretty: true) : call.string(evaluation, "observation")) + "\n")
        exit(evaluation["status"]?.stringValue == "succeeded" ? 0 : 1)
    }
}
