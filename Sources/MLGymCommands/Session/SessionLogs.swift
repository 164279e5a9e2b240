import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient

/// `mlgymctl logs ID`: the session's state changes, events and commands, in time order.
struct SessionLogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Show a session's history: state changes, events (OOM kills, limits) and commands with their output.")

    @OptionGroup var client: ClientOptions
    @Argument(help: ArgumentHelp("Session id, unique id prefix or unique name.", valueName: "id"))
    var id: String
    @Flag(help: "Print as JSON.")
    var json = false
    @Flag(name: .customLong("no-output"), help: "Leave out the commands' output.")
    var noOutput = false
    @Flag(help: "Print the agent's output as it is, escape sequences included (by default control characters are shown escaped, e.g. \\e).")
    var raw = false

    func run() async throws {
        let logs = try client.client.logs(id)
        if json {
            print(try Output.json(logs))
            return
        }
        var entries: [(Date, String)] = []
        for change in logs.stateChanges {
            entries.append((change.time, "state  \(change.from ?? "-") -> \(change.to): \(change.reason)"))
        }
        for event in logs.events {
            entries.append((event.time, "event  \(event.kind) \(event.details)"))
        }
        for exec in logs.execs {
            let outcome = exec.timedOut ? "timed out" : "exit \(exec.exitCode.map(String.init) ?? "?")"
            var text = "exec   $ \(exec.command)   [\(outcome), \(exec.durationMs) ms]"
            if !noOutput && !exec.output.isEmpty {
                var lines = exec.output.split(separator: "\n", omittingEmptySubsequences: false)
                if lines.last?.isEmpty == true { lines.removeLast() }  // the output's own final newline
                text += "\n" + lines.map { "       | " + $0 }.joined(separator: "\n")
            }
            entries.append((exec.startedAt, text))
        }
        for (time, text) in entries.sorted(by: { $0.0 < $1.0 }) {
            Output.show("\(time.formatted(.iso8601))  \(text)", raw: raw)
        }
    }
}
