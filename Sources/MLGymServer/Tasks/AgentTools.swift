import Foundation
import MLGymCore
import MLGymSandbox
import MLGymTools

/// The commands an agent gets inside a task session: `validate`, `submit`, `open`, `edit`…, which are the light
/// mlgymctl under other names (one small static binary is both the client's fast path and the in-sandbox
/// tools). mlgymd keeps a copy of it in its runtime directory, with the names as links, and binds that directory
/// read-only into each sandbox. The binary is static, so the sandbox's root filesystem needs none of its
/// libraries: no Swift runtime, Foundation or libcurl.
struct AgentTools: Sendable {
    static let sandboxDirectory = "/opt/mlgym/bin"
    /// validate and submit, the memory and literature commands, and MLGym's file viewer, editor and search commands.
    static let commands = ToolEntry.agentCommandNames

    /// The host directory bound at `sandboxDirectory`.
    let directory: String

    /// Copies the light `mlgymctl` into `runtimeDirectory/tools`; nil (and a logged warning) when there is none
    /// beside mlgymd, in which case task sessions have no in-sandbox tools and validate only from outside.
    static func install(mlgymctl: String, runtimeDirectory: String) -> AgentTools? {
        let directory = runtimeDirectory + "/tools"
        guard FileManager.default.isExecutableFile(atPath: mlgymctl) else {
            DaemonLog.warning("no mlgymctl at \(mlgymctl): agents in task sessions get no validate/submit commands")
            return nil
        }
        try? FileManager.default.removeItem(atPath: directory)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            // A copy, not a link: the sandbox must not see (or pin) the build directory's file.
            let copy = directory + "/mlgymctl"
            try FileManager.default.copyItem(atPath: mlgymctl, toPath: copy)
            chmod(copy, 0o755)
            for name in commands {
                try FileManager.default.createSymbolicLink(atPath: directory + "/" + name, withDestinationPath: "mlgymctl")
            }
        } catch {
            DaemonLog.warning("cannot install the agent tools in \(directory): \(error); agents in task sessions get no validate/submit commands")
            return nil
        }
        return AgentTools(directory: directory)
    }

    /// The binds and environment a task session's sandbox gets for the tools and its agent socket.
    func sandboxAdditions(agentSocket: String) -> (binds: [SandboxSpec.Bind], environment: [String: String]) {
        let binds = [
            SandboxSpec.Bind(hostPath: directory, sandboxPath: Self.sandboxDirectory),
            SandboxSpec.Bind(hostPath: agentSocket, sandboxPath: AgentSocket.sandboxPath),
        ]
        let environment = [
            "PATH": Self.sandboxDirectory + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "MLGYM_AGENT_SOCKET": AgentSocket.sandboxPath,
        ]
        return (binds, environment)
    }
}
