import MLGymToolSupport

/// `create <filename>`: makes a new file holding one empty line and opens it.
///
/// As in MLGym, naming something that already exists is an error that still opens it, so the agent sees what is
/// there. Unlike a shell redirection, creation never follows a dangling symbolic link and never creates missing
/// parent directories.
enum CreateCommand {
    static func run(_ arguments: [String], context: inout ACIContext) throws(ACIFailure) -> ACIToolResult {
        guard arguments.count == 1, !arguments[0].isEmpty else { throw .usage(.create) }
        let given = arguments[0]
        let path = context.environment.absolute(given)
        if FileSystem.kindWithoutFollowing(path) != .missing {
            let exists = "Error: File '\(given)' already exists.\n"
            do {
                let opened = try OpenCommand.run([given], context: &context)
                return ACIToolResult(output: exists + opened.output, exitCode: ACIToolResult.failure)
            } catch {
                return ACIToolResult(output: exists + error.output.text, exitCode: ACIToolResult.failure)
            }
        }
        let parent = FileIO.parentDirectory(path)
        guard FileSystem.kind(parent) == .directory else {
            throw .error("Error: cannot create \(given): its directory does not exist (create it first with mkdir -p).")
        }
        try FileSystem.createNew(path, with: "\n")
        return try OpenCommand.run([given], context: &context)
    }
}
