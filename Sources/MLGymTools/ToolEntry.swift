import MLGymACI
import MLGymToolSupport

/// The light `mlgymctl`: one small static binary that is, by the name it is run as, the agent's in-sandbox
/// commands (`validate`, `submit`, `memory_read`, `open`, `edit`…) and, as `mlgymctl`, the client's fast path
/// (`exec`), handing every other verb to the full client beside it.
///
/// It links neither Foundation nor libcurl, so a sandbox's root filesystem needs nothing for it but the kernel,
/// and it starts in about a millisecond instead of the full client's twenty.
public enum ToolEntry {
    public static func main(arguments: [String]) -> Never {
        let invokedAs = FileIO.lastComponent(arguments.first ?? "mlgymctl")
        let rest = Array(arguments.dropFirst())
        if EvaluationTool.names.contains(invokedAs) { EvaluationTool.main(name: invokedAs, arguments: rest) }
        if MemoryTool.names.contains(invokedAs) { MemoryTool.main(name: invokedAs, arguments: rest) }
        if LiteratureTool.names.contains(invokedAs) { LiteratureTool.main(name: invokedAs, arguments: rest) }
        if let command = ACICommand(rawValue: invokedAs) { ACIToolMain.main(command, arguments: rest) }
        if rest.first == "exec", let request = ExecFastPath.Request(parsing: rest.dropFirst()) {
            ExecFastPath.run(request, originalArguments: arguments)
        }
        FullClient.handOff(arguments)
    }

    /// Every name the agent's commands are run by inside a task session (each a link to this binary).
    public static var agentCommandNames: [String] {
        (EvaluationTool.names.sorted() + MemoryTool.names.sorted() + LiteratureTool.names.sorted()) + ACICommand.allCases.map(\.rawValue)
    }
}
