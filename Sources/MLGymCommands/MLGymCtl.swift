import ArgumentParser
import Foundation
import MLGymAPI
import MLGymCore

/// The `mlgymctl` command line: the root command and its verbs.
///
/// Adding a verb is one line: append its type to `subcommands`. Errors print as one line,
/// `mlgymctl: <what went wrong> (<why / what to do>)`, and exit non-zero.
public struct MLGymCtl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mlgymctl",
        abstract: "Drive mlgym, MLGym's benchmark for AI research agents, and report its results.",
        discussion: "Talks to mlgymd over its Unix socket ($MLGYM_SOCKET, else /run/mlgym/mlgymd.sock).",
        version: WireCoding.mlgymVersion,
        subcommands: [
            SessionStart.self, SessionStatus.self, SessionListCommand.self, SessionAttach.self, SessionExec.self,
            SessionLogsCommand.self, SessionStop.self, SessionRemove.self, TasksCommand.self, ValidateCommand.self,
            SubmitCommand.self, EvaluationsCommand.self, BaselineCommand.self, RunCommand.self, RunsCommand.self,
            TrajectoryCommand.self, ExportCommand.self, CampaignCommand.self, MemoryCommand.self, LiteratureCommand.self,
            ReportCommand.self, UICommand.self, SnapshotCommand.self, SnapshotsCommand.self, ForkCommand.self,
            RestoreCommand.self,
        ]
    )

    public init() {}

    /// Parses the command line and runs the verb, printing any failure as one line on standard error. (The agent's
    /// in-sandbox commands and the fast `exec` are the light mlgymctl's, in MLGymTools.)
    public static func main() async {
        await main(arguments: Array(CommandLine.arguments.dropFirst()))
    }

    /// `main()` for given arguments (what the end-to-end tests and `main.swift` share).
    public static func main(arguments: [String]) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as MLGymError {
            fail(error.message, code: 1)
        } catch {
            let code = exitCode(for: error)
            // Help and version requests are "errors" to the parser; let it print them its way.
            guard code != .success else { exit(withError: error) }
            let message = message(for: error)
            guard !message.isEmpty else { Foundation.exit(code.rawValue) }
            let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: "; ")
            fail("\(oneLine) (see 'mlgymctl help')", code: code.rawValue)
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("mlgymctl: \(message)\n".utf8))
        Foundation.exit(code == 0 ? 1 : code)
    }
}
