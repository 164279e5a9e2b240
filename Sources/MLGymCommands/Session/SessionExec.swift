import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient

/// `mlgymctl exec ID -- CMD [ARG...]`: runs a command in the session's shell, streaming its output, and exits
/// with its exit code.
struct SessionExec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command in a session's shell; exits with the command's exit code.",
        discussion: """
            The words after -- are joined with spaces and run by the session's bash, as ssh does: \
            'mlgymctl exec ID -- ls -l' and "mlgymctl exec ID -- 'cd data && ls'" both work, and state such as \
            the working directory and variables persists between commands. Output arrives as it is produced; \
            stdout and stderr are one stream, as on a terminal. A command that runs past --timeout has its \
            process group killed and exits with 124.
            """)

    @OptionGroup var client: ClientOptions
    @Option(help: ArgumentHelp("Seconds before the command is killed (default: the daemon's, 600).", valueName: "seconds"))
    var timeout: Double?
    @Argument(help: ArgumentHelp("Session id, unique id prefix or unique name.", valueName: "id"))
    var id: String
    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command after --, e.g. mlgymctl exec \(id) -- ls") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() async throws {
        let request = ExecRequest(command: command.joined(separator: " "), timeout: timeout)
        var droppedBytes = 0
        let result = try client.client.execStreaming(id, request, onDropped: { bytes in
            // In the output too, where the gap is: a reader of a saved log must see it was cut there.
            FileHandle.standardOutput.write(Data("\n[... \(bytes) bytes dropped by mlgymd: this client read too slowly ...]\n".utf8))
            droppedBytes += bytes
        }) { text in
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        if droppedBytes > 0 {
            FileHandle.standardError.write(Data(
                "mlgymctl: warning: mlgymd dropped \(droppedBytes) bytes of the output because this client read it too slowly (marked where they were; mlgymctl logs keeps the head and tail)\n".utf8))
        }
        if result.timedOut {
            FileHandle.standardError.write(Data("mlgymctl: the command ran past its timeout and was killed (exit 124)\n".utf8))
        }
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}
