import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient

/// `mlgymctl status [ID]`: one session in detail, or the daemon and a summary of sessions.
struct SessionStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a session (or, without an id, the daemon and your sessions).")

    @OptionGroup var client: ClientOptions
    @Argument(help: ArgumentHelp("Session id, unique id prefix or unique name.", valueName: "id"))
    var id: String?
    @Flag(help: "Print as JSON.")
    var json = false

    func run() async throws {
        let api = client.client
        guard let id else {
            let info = try api.info()
            let sessions = try api.sessions()
            if json {
                print(try Output.json(info))
                return
            }
            let running = sessions.filter { $0.state == "running" }.count
            print("""
                mlgymd \(info.version) (pid \(info.pid)) on \(api.socketPath)
                cgroups: \(info.cgroups), GPUs: \(info.gpus), rootfs: \(info.rootfs)
                you: uid \(info.callerUID); sessions: \(sessions.count) (\(running) running)
                """)
            if let warm = info.warmSandboxes { print("warm pool: \(warm) sandboxes built ahead, ready to start") }
            return
        }
        let session = try api.session(id)
        if json {
            print(try Output.json(session))
            return
        }
        var lines = [
            "id:        \(session.id)",
            "name:      \(session.name)",
            "state:     \(session.state)" + (session.reason.map { " (\($0))" } ?? ""),
            "owner:     uid \(session.owner)",
            "created:   \(session.createdAt.formatted(.iso8601)) (\(Output.age(of: session.createdAt)))",
            "task:      \(session.spec.task ?? "none (bare sandbox)")",
            "limits:    memory \(session.spec.memory ?? "default"), cpus \(session.spec.cpus.map { String($0) } ?? "unlimited"), pids \(session.spec.pids.map(String.init) ?? "default")",
            "gpus:      \(session.spec.gpus ?? "none"), network: \(session.spec.network ?? "none")",
        ]
        if let workspace = session.spec.workspace { lines.append("workspace: \(workspace)") }
        if let pid = session.initPID { lines.append("init pid:  \(pid)") }
        if let usage = session.usage {
            lines.append("memory:    \(Output.bytes(usage.memoryBytes)) now, \(Output.bytes(usage.memoryPeakBytes)) peak; OOM kills: \(usage.oomKills.map(String.init) ?? "-")")
            lines.append("processes: \(usage.processes.map(String.init) ?? "-")")
            if let seconds = usage.cpuSeconds { lines.append("cpu time:  \(String(format: "%.1f", seconds)) s") }
            let hits = [("memory", usage.memoryLimitHits), ("processes", usage.processLimitHits)].compactMap { name, count in
                count.flatMap { $0 > 0 ? "\(name) \($0) times" : nil }
            }
            if !hits.isEmpty { lines.append("limits hit: \(hits.joined(separator: ", "))") }
        }
        if let attached = session.attachedClients, attached > 0 { lines.append("attached:  \(attached) terminal(s)") }
        Output.show(lines.joined(separator: "\n"))
    }
}
