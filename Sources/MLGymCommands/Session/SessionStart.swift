import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient
import MLGymCore

/// `mlgymctl start`: a new session (a sandbox with a persistent shell); prints its id.
struct SessionStart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a session: a sandbox with a persistent shell. Prints the session's id.",
        discussion: "Without --task the session is a bare sandbox with an empty workspace.")

    @OptionGroup var client: ClientOptions

    @Option(help: ArgumentHelp("Benchmark task to set up in the session.", valueName: "id"))
    var task: String?
    @Option(help: ArgumentHelp("A name for the session (need not be unique; commands accept it when it is).", valueName: "name"))
    var name: String?
    @Option(help: ArgumentHelp("Memory limit, e.g. 8G (default: the daemon's, 8G).", valueName: "size"))
    var memory: String?
    @Option(help: ArgumentHelp("CPU limit as a number of CPUs, e.g. 2 or 0.5.", valueName: "n"))
    var cpus: Double?
    @Option(help: ArgumentHelp("Maximum processes and threads (default 1024).", valueName: "n"))
    var pids: Int?
    @Option(help: ArgumentHelp("GPUs: none, all, or indices/UUIDs such as 0,1.", valueName: "none|all|list"))
    var gpus: String?
    @Option(help: ArgumentHelp("Network: none (a private namespace with only loopback; the default), loopback (the same), packages (only loopback, plus a proxy to the package indexes mlgymd allows, so pip install works) or host.", valueName: "mode"))
    var network: String?
    @Option(help: ArgumentHelp("Host directory (yours) bound read-write as /home/agent/workspace.", valueName: "dir"))
    var workspace: String?
    @Option(help: ArgumentHelp("Disk size of the session's own workspace volume, e.g. 10G.", valueName: "size"))
    var disk: String?
    @Option(name: .customLong("wall-time"), help: ArgumentHelp("Stop the session after this many seconds.", valueName: "seconds"))
    var wallTime: Double?
    @Flag(name: .customLong("with-memory"), help: "Let the agent use the memory (memory_write, memory_read) of the task's scope.")
    var withMemory = false
    @Flag(name: .customLong("with-literature"), help: "Let the agent search papers and read PDFs (literature_search, parse_pdf) through mlgymd.")
    var withLiterature = false
    @Option(name: .customLong("snapshot-on"), help: ArgumentHelp("validate: take a snapshot at every validate (mlgymctl fork ID@best continues from the best).", valueName: "validate"))
    var snapshotOn: String?
    @Flag(help: "Print the session as JSON instead of its id.")
    var json = false

    func validate() throws {
        if let snapshotOn, snapshotOn != "validate" { throw ValidationError("--snapshot-on must be validate") }
        if let memory, ByteCount.parse(memory) == nil { throw ValidationError("--memory '\(memory)' is not a size (e.g. 512M, 8G)") }
        if let disk, ByteCount.parse(disk) == nil { throw ValidationError("--disk '\(disk)' is not a size (e.g. 10G)") }
        if let cpus, !(cpus > 0) { throw ValidationError("--cpus must be a positive number") }
        if let network, !["none", "loopback", "packages", "host"].contains(network) { throw ValidationError("--network must be none, loopback, packages or host") }
    }

    func run() async throws {
        let workspacePath = workspace.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let spec = SessionSpec(
            name: name, task: task, memory: memory, cpus: cpus, pids: pids, gpus: gpus, network: network,
            workspace: workspacePath, disk: disk, wallTime: wallTime, agentMemory: withMemory ? true : nil,
            agentLiterature: withLiterature ? true : nil, snapshotOn: snapshotOn)
        let session = try client.client.createSession(spec)
        if json {
            print(try Output.json(session))
        } else {
            print(session.id)
        }
    }
}
