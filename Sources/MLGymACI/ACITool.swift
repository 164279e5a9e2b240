/// The entry point of every ACI command: what `mlgymctl` calls when it runs as `open`, `edit`, `search_dir`…
public enum ACITool {
    /// Runs `command` once: loads the viewer state, does the work, saves the state if the viewer moved.
    ///
    /// - Parameters:
    ///   - arguments: the command's arguments, without the command name.
    ///   - standardInput: the replacement text for edit/insert (everything up to the terminator line; may be
    ///     empty); nil otherwise.
    /// - Returns: what to print (errors included, since the agent reads one stream) and the exit code.
    public static func run(
        _ command: ACICommand, arguments: [String], standardInput: String?, environment: ACIEnvironment
    ) -> ACIToolResult {
        var context = ACIContext(environment: environment)
        do {
            switch command {
            case .open: return try OpenCommand.run(arguments, context: &context)
            case .goto: return try GotoCommand.run(arguments, context: &context)
            case .scroll_up: return try ScrollCommand.run(.up, arguments, context: &context)
            case .scroll_down: return try ScrollCommand.run(.down, arguments, context: &context)
            case .create: return try CreateCommand.run(arguments, context: &context)
            case .edit: return try EditCommand.run(arguments, standardInput: standardInput, context: &context)
            case .insert: return try InsertCommand.run(arguments, standardInput: standardInput, context: &context)
            case .search_dir: return try SearchDirCommand.run(arguments, context: context)
            case .search_file: return try SearchFileCommand.run(arguments, context: context)
            case .find_file: return try FindFileCommand.run(arguments, context: context)
            }
        } catch {
            return error.output.result(error.exitCode)
        }
    }
}
