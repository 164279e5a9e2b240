import Foundation
import MLGymACI
import MLGymSandbox

/// The commands an agent gets inside a task session: `validate`, `submit`, `open`, `edit`…, which are mlgymctl under other
/// names (one binary serves as the client and as the in-sandbox tools). mlgymd keeps a copy of mlgymctl in
/// its runtime directory, with the two names as links, and binds that directory read-only into each sandbox.
struct AgentTools: Sendable {
    static let sandboxDirectory = "/opt/mlgym/bin"
    /// validate and submit, and MLGym's file viewer, editor and search commands.
    static let commands = ["validate", "submit", "memory_write", "memory_read", "literature_search", "parse_pdf", "parse_pdf_url"]
        + ACICommand.allCases.map(\.rawValue)

    /// The host directory bound at `sandboxDirectory`.
    let directory: String
    /// Where Swift's runtime libraries are (when mlgymctl does not link them statically), bound read-only at
    /// the same path into sandboxes whose root filesystem lacks them.
    let libraryDirectories: [String]

    /// Copies `mlgymctl` into `runtimeDirectory/tools`; nil (and a logged warning) when there is none beside
    /// mlgymd, in which case task sessions have no in-sandbox tools and validate only from outside.
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
        return AgentTools(directory: directory, libraryDirectories: swiftRuntimeDirectories())
    }

    /// Where this process loaded Swift's runtime from (none for a static build). mlgymctl is built with mlgymd,
    /// so it needs the same one.
    private static func swiftRuntimeDirectories() -> [String] {
        // Read, not stat-sized: /proc files report a size of 0.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() else { return [] }
        let maps = String(decoding: data, as: UTF8.self)
        var directories: Set<String> = []
        for line in maps.split(separator: "\n") {
            guard let path = line.split(separator: " ", omittingEmptySubsequences: true).last, path.hasPrefix("/"),
                  path.contains("/libswiftCore.so") || path.contains("/libFoundation.so")
            else { continue }
            directories.insert((String(path) as NSString).deletingLastPathComponent)
        }
        return directories.sorted()
    }

    /// The binds and environment a task session's sandbox gets for the tools and its agent socket.
    func sandboxAdditions(agentSocket: String, rootFilesystem: SandboxSpec.RootFilesystem) -> (binds: [SandboxSpec.Bind], environment: [String: String]) {
        var binds = [SandboxSpec.Bind(hostPath: directory, sandboxPath: Self.sandboxDirectory)]
        // A host-mode sandbox has the host's /usr already; a directory tree has its own, without Swift.
        let needed = libraryDirectories.filter { rootFilesystem != .host || !$0.hasPrefix("/usr/") }
        binds += needed.map { SandboxSpec.Bind(hostPath: $0, sandboxPath: $0) }
        binds.append(SandboxSpec.Bind(hostPath: agentSocket, sandboxPath: AgentSocket.sandboxPath))
        let environment = [
            "PATH": Self.sandboxDirectory + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "MLGYM_AGENT_SOCKET": AgentSocket.sandboxPath,
        ]
        return (binds, environment)
    }
}
