import ArgumentParser
import Foundation
import MLGymCore
import MLGymSandbox

/// The flags that describe a sandbox, shared by every verb.
struct SandboxOptions: ParsableArguments {
    @Option(help: "Root filesystem: 'host' (the host's system directories, read-only) or a directory tree (e.g. built by rootfs/build).")
    var rootfs = "host"
    @Option(help: "Host directory bound read-write as /home/agent/workspace (default: a fresh one in the sandbox's volume).")
    var workspace: String?
    @Option(help: "Memory limit, e.g. 512M or 8G.")
    var memory: String?
    @Option(help: "CPU limit as a number of CPUs, e.g. 0.5 or 2.")
    var cpus: Double?
    @Option(help: "Maximum number of processes and threads.")
    var pids: Int?
    @Option(help: "Size of /tmp, /dev/shm and the agent's home (tmpfs), e.g. 256M.")
    var tmp: String?
    @Option(help: "Size of the sandbox's disk volume (workspace and overlay), e.g. 1G. Needs root.")
    var disk: String?
    @Option(name: .customLong("wall-time"), help: "Stop the sandbox after this many seconds.")
    var wallTime: Double?
    @Option(help: "GPUs to pass through: none, all, or a list of indices or UUIDs (0,1).")
    var gpus = "none"
    @Option(help: "Network: none (only loopback, the default) or host.")
    var network = "none"
    @Option(name: .customLong("bind"), help: "Extra bind HOST:SANDBOX[:rw] (read-only unless :rw). Repeatable.")
    var binds: [String] = []
    @Option(help: "Directory for per-sandbox runtime state.")
    var runtimeDirectory = "/run/mlgym/sandboxes"
    @Option(help: "Directory for per-sandbox persistent state (volumes).")
    var stateDirectory = "/var/lib/mlgym/sandboxes"

    func engine() throws -> SandboxEngine {
        let rootless = geteuid() != 0
        let base = rootless ? (ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"] ?? "/tmp/mlgym-\(getuid())") : nil
        let configuration = SandboxEngine.Configuration(
            runtimeDirectory: base.map { $0 + "/mlgym/sandboxes" } ?? runtimeDirectory,
            stateDirectory: base.map { $0 + "/mlgym/state" } ?? stateDirectory)
        return try SandboxEngine(configuration)
    }

    func spec() throws -> SandboxSpec {
        func bytes(_ text: String?, _ name: String) throws -> UInt64? {
            guard let text else { return nil }
            guard let value = ByteCount.parse(text) else {
                throw ValidationError("--\(name) '\(text)' is not a size (use e.g. 512M, 8G)")
            }
            return value
        }
        let limits = ResourceLimits(
            memoryBytes: try bytes(memory, "memory"), cpus: cpus, pids: pids, wallTimeSeconds: wallTime,
            tmpBytes: try bytes(tmp, "tmp"), diskBytes: try bytes(disk, "disk"))
        guard let networkMode = SandboxSpec.Network(rawValue: network) else {
            throw ValidationError("--network must be 'none' or 'host', not '\(network)'")
        }
        let parsedBinds = try binds.map { text -> SandboxSpec.Bind in
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 || (parts.count == 3 && (parts[2] == "rw" || parts[2] == "ro")) else {
                throw ValidationError("--bind '\(text)' must be HOST:SANDBOX or HOST:SANDBOX:rw")
            }
            return SandboxSpec.Bind(hostPath: parts[0], sandboxPath: parts[1], readOnly: parts.count == 2 || parts[2] == "ro")
        }
        return SandboxSpec(
            rootFilesystem: rootfs == "host" ? .host : .directory(rootfs), workspaceHostPath: workspace,
            binds: parsedBinds, limits: limits, network: networkMode, gpus: try GPUSelection(parsing: gpus))
    }
}
