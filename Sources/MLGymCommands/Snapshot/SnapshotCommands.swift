import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient

/// `mlgymctl snapshot ID [--name N]`: captures a running session's writable state.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Capture a running session's workspace, home and other writable state as a snapshot.",
        discussion: """
            The session's processes are frozen for the capture and thawed after, so the snapshot is consistent. \
            Where the state directory's file system has reflinks (xfs, btrfs) the session's whole volume is cloned \
            (an 'image' snapshot, whatever its size); elsewhere its files are kept as a 'tree' whose identical \
            files are stored once. The working directory and exported variables of the shell go with it. \
            Running processes, /tmp and /dev/shm do not. Snapshots count against their owner's snapshot quota \
            (mlgymd --snapshot-quota) and stay until removed (mlgymctl rm ID@N) or their session is removed.
            """)

    @OptionGroup var client: ClientOptions
    @Option(help: ArgumentHelp("A name for it, unique in the session (then ID@NAME names it too).", valueName: "name"))
    var name: String?
    @Flag(help: "Print the snapshot as JSON.")
    var json = false
    @Argument(help: ArgumentHelp("Session id, unique id prefix or unique name.", valueName: "id"))
    var id: String

    func run() async throws {
        let snapshot = try client.client.snapshot(id, name: name)
        if json {
            print(try Output.json(snapshot))
        } else {
            print(SnapshotText.line(snapshot))
        }
    }
}

/// `mlgymctl snapshots ID`: lists a session's snapshots.
struct SnapshotsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshots", abstract: "List a session's snapshots (also after it stopped).")

    @OptionGroup var client: ClientOptions
    @Flag(help: "Print the list as JSON.")
    var json = false
    @Argument(help: ArgumentHelp("Session id, unique id prefix or unique name.", valueName: "id"))
    var id: String

    func run() async throws {
        let list = try client.client.snapshots(id)
        if json {
            print(try Output.json(list))
            return
        }
        let rows = list.snapshots.map { snapshot in
            [
                snapshot.reference, snapshot.name ?? "-", snapshot.kind, snapshot.trigger, snapshot.score.map { String($0) } ?? "-",
                Output.bytes(UInt64(max(0, snapshot.bytes))), String(format: "%.1f ms", snapshot.frozenMs), Output.age(of: snapshot.createdAt),
            ]
        }
        print(Output.table(["SNAPSHOT", "NAME", "KIND", "TAKEN AT", "SCORE", "SIZE", "FROZEN", "CREATED"], rows))
        let quota = list.ownerQuotaBytes.map { " of " + Output.bytes(UInt64($0)) } ?? ""
        print("the owner's snapshots hold \(Output.bytes(UInt64(max(0, list.ownerUsedBytes))))\(quota)")
    }
}

/// `mlgymctl fork ID[@SNAPSHOT]`: a new session from a snapshot.
struct ForkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fork", abstract: "Start a new session from a snapshot of another (a fresh one of it when none is named).",
        discussion: """
            The fork has the same task, limits and network as its parent, the snapshot's workspace, home and \
            other writable state, and its shell's working directory and exported variables; it runs as an agent \
            of its own and shares no writable state with the parent. Running processes are not carried: start \
            them again. ID@best is the snapshot taken at the session's best validate (agent runs with \
            --snapshot-on validate take one at each). Prints the new session's id.
            """)

    @OptionGroup var client: ClientOptions
    @Option(help: ArgumentHelp("Name of the new session.", valueName: "name"))
    var name: String?
    @Flag(help: "Print the new session as JSON.")
    var json = false
    @Argument(help: ArgumentHelp("SESSION, SESSION@NUMBER, SESSION@NAME or SESSION@best.", valueName: "id[@snapshot]"))
    var reference: String

    func run() async throws {
        let session = try client.client.fork(reference, name: name)
        if json {
            print(try Output.json(session))
        } else {
            print(session.id)
        }
    }
}

/// `mlgymctl restore ID@SNAPSHOT`: rolls a running session back.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Roll a running session back to one of its snapshots.",
        discussion: """
            The session's workspace, home and other writable state become the snapshot's (what was written since \
            is gone), and its shell goes back to the snapshot's working directory and variables when no command \
            or terminal has it. Processes that are running keep running.
            """)

    @OptionGroup var client: ClientOptions
    @Flag(help: "Print what was done as JSON.")
    var json = false
    @Argument(help: ArgumentHelp("SESSION@NUMBER, SESSION@NAME or SESSION@best.", valueName: "id@snapshot"))
    var reference: String

    func validate() throws {
        if !reference.contains("@") { throw ValidationError("name the snapshot: mlgymctl restore SESSION@NUMBER (mlgymctl snapshots SESSION lists them)") }
    }

    func run() async throws {
        let restored = try client.client.restore(reference)
        if json {
            print(try Output.json(restored))
        } else {
            print("restored \(restored.snapshot.reference) (\(Output.bytes(UInt64(max(0, restored.bytes)))) written in \(restored.durationMs) ms\(restored.shellRestored ? "" : "; the shell was busy: its directory and variables were not set"))")
        }
    }
}

enum SnapshotText {
    static func line(_ snapshot: SnapshotInfo) -> String {
        let name = snapshot.name.map { " (\($0))" } ?? ""
        let frozen = snapshot.frozen ? String(format: "frozen %.1f ms", snapshot.frozenMs) : "not frozen: this host has no cgroup freezer"
        return "\(snapshot.reference)\(name): \(snapshot.kind), \(Output.bytes(UInt64(max(0, snapshot.bytes)))), \(frozen)"
    }
}
