import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient
import MLGymCore

/// `mlgymctl ls`: every session the caller may see (root sees all).
struct SessionListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List sessions (yours; root sees every session).", aliases: ["ps"])

    @OptionGroup var client: ClientOptions
    @Flag(help: "Print the sessions as JSON.")
    var json = false
    @Flag(name: .shortAndLong, help: "Print only the ids.")
    var quiet = false

    func run() async throws {
        let sessions = try client.client.sessions()
        if json {
            print(try Output.json(SessionList(sessions: sessions)))
        } else if quiet {
            for session in sessions { print(session.id) }
        } else {
            let rows = sessions.map { session in
                [session.id, session.name, session.state, String(session.owner), Output.age(of: session.createdAt),
                 session.spec.task ?? "-", session.reason ?? ""]
            }
            let cells = rows.map { $0.map { TerminalText.escaped($0, keepingLayout: false) } }
            print(Output.table(["ID", "NAME", "STATE", "OWNER", "CREATED", "TASK", "REASON"], cells))
        }
    }
}
