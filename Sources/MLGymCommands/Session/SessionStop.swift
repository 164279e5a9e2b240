import ArgumentParser
import MLGymAPI
import MLGymClient

/// `mlgymctl stop ID...`: stops sessions (their sandboxes are torn down; the records stay).
struct SessionStop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop sessions: kill everything in their sandboxes; their history stays until rm.")

    @OptionGroup var client: ClientOptions
    @Argument(help: ArgumentHelp("Session ids, unique id prefixes or unique names.", valueName: "id"))
    var ids: [String]

    func validate() throws {
        if ids.isEmpty { throw ValidationError("name at least one session to stop") }
    }

    func run() async throws {
        for id in ids {
            print(try client.client.stopSession(id).id)
        }
    }
}

/// `mlgymctl rm ID...`: removes sessions and their history.
struct SessionRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove stopped sessions and their history (--force stops running ones first), or snapshots (ID@N).")

    @OptionGroup var client: ClientOptions
    @Flag(name: .shortAndLong, help: "Stop a running session before removing it.")
    var force = false
    @Argument(help: ArgumentHelp("Session ids, unique id prefixes or unique names; SESSION@NUMBER or SESSION@NAME for a snapshot.", valueName: "id"))
    var ids: [String]

    func validate() throws {
        if ids.isEmpty { throw ValidationError("name at least one session to remove") }
    }

    func run() async throws {
        for id in ids {
            if id.contains("@") {
                try client.client.removeSnapshot(id)
            } else {
                try client.client.removeSession(id, force: force)
            }
            print(id)
        }
    }
}
