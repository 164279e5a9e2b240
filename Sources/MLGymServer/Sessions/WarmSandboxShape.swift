import MLGymCore
import MLGymSandbox

/// Everything about a session's sandbox that is fixed when the sandbox is built: two sessions of one shape can be
/// served by sandboxes built ahead from one template. What a session may still change on a warm sandbox (memory,
/// CPU, pids, wall time) is not part of it.
struct WarmSandboxShape: Hashable, Sendable {
    /// Who the agent is: root's sessions give each sandbox a uid of its own; a member's run as the member.
    enum Agent: Hashable, Sendable {
        case ownUID
        case fixed(uid: UInt32, gid: UInt32)
    }

    let agent: Agent
    let rootFilesystem: String
    let network: SandboxSpec.Network
    let environment: [String: String]
    let hostname: String
    let workspacePath: String
    let diskBytes: UInt64?
    let tmpBytes: UInt64?
    let openFiles: Int?
    let seccomp: Bool

    /// The shape of `spec`, or nil when a sandbox built ahead could not serve it: a client's own workspace, binds,
    /// GPUs (chosen per session) or a read-only workspace are bound as the sandbox is built.
    init?(_ spec: SandboxSpec, agent: Agent) {
        guard spec.workspaceHostPath == nil, spec.binds.isEmpty, spec.gpus == .none, !spec.workspaceReadOnly else { return nil }
        self.agent = agent
        switch spec.rootFilesystem {
        case .host: rootFilesystem = "host"
        case .directory(let path): rootFilesystem = path
        }
        network = spec.network
        environment = spec.environment
        hostname = spec.hostname
        workspacePath = spec.workspacePath
        diskBytes = spec.limits.diskBytes
        tmpBytes = spec.limits.tmpBytes
        openFiles = spec.limits.openFiles
        seccomp = spec.seccomp
    }

    /// The spec a warm sandbox of this shape is built from: `spec` without the limits a session applies when it
    /// takes the sandbox (until then nothing of an agent runs in it), and with the agent's identity.
    static func template(from spec: SandboxSpec) -> SandboxSpec {
        var template = spec
        template.limits.memoryBytes = nil
        template.limits.cpus = nil
        template.limits.pids = nil
        template.limits.wallTimeSeconds = nil
        return template
    }
}
