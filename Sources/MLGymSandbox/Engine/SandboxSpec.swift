import MLGymCore

/// Everything needed to build one sandbox. A plain value: the engine turns it into a mount plan, cgroups and a
/// running mlgym-init.
public struct SandboxSpec: Sendable {
    /// Where the sandbox's system files come from.
    public enum RootFilesystem: Sendable, Equatable {
        /// The host's system directories (`/usr`, merged-usr links, a few `/etc` files), bound read-only on a
        /// read-only root. Nothing else of the host is visible.
        case host
        /// A directory tree (e.g. built by `rootfs/build`), used read-only as the lower layer of an overlay whose
        /// upper directory is the sandbox's own.
        case directory(String)
    }

    /// Network access.
    public enum Network: String, Sendable, Codable {
        /// A new network namespace with only `lo`, brought up. The default.
        case none
        /// The host's network namespace: only when a task needs it and the operator asked for it.
        case host
    }

    /// A host path made visible inside the sandbox.
    public struct Bind: Sendable, Equatable {
        public var hostPath: String
        public var sandboxPath: String
        public var readOnly: Bool
        public init(hostPath: String, sandboxPath: String, readOnly: Bool = true) {
            self.hostPath = hostPath
            self.sandboxPath = sandboxPath
            self.readOnly = readOnly
        }
    }

    /// The agent's identity inside the sandbox.
    public struct Identity: Sendable, Equatable {
        public var uid: UInt32
        public var gid: UInt32
        public var userName: String
        public var home: String
        public init(uid: UInt32 = 1000, gid: UInt32 = 1000, userName: String = "agent", home: String = "/home/agent") {
            self.uid = uid
            self.gid = gid
            self.userName = userName
            self.home = home
        }
    }

    public var rootFilesystem: RootFilesystem
    /// The host directory bound read-write as the workspace; nil lets the engine make one in the sandbox's
    /// volume (size-limited by `limits.diskBytes`).
    public var workspaceHostPath: String?
    /// Where the workspace appears inside.
    public var workspacePath: String
    /// Bind the workspace read-only (an evaluation sandbox over a snapshot).
    public var workspaceReadOnly = false
    public var binds: [Bind]
    public var identity: Identity
    public var hostname: String
    /// Environment of every process started in the sandbox (PATH, HOME, USER and TERM get defaults).
    public var environment: [String: String]
    public var limits: ResourceLimits
    public var network: Network
    public var gpus: GPUSelection
    /// Load the seccomp filter into agent processes. Only tests turn it off, to show the probes can tell.
    public var seccomp: Bool
    /// The host ids the files of an existing volume image carry (a fork's reflink of its parent's volume), when
    /// they are not this sandbox's agent's: the volume is then mounted idmapped so they are the agent's.
    public var volumeOwner: (uid: UInt32, gid: UInt32)?

    public init(
        rootFilesystem: RootFilesystem = .host, workspaceHostPath: String? = nil,
        workspacePath: String = "/home/agent/workspace", binds: [Bind] = [], identity: Identity = Identity(),
        hostname: String = "mlgym", environment: [String: String] = [:], limits: ResourceLimits = ResourceLimits(),
        network: Network = .none, gpus: GPUSelection = .none, seccomp: Bool = true
    ) {
        self.rootFilesystem = rootFilesystem
        self.workspaceHostPath = workspaceHostPath
        self.workspacePath = workspacePath
        self.binds = binds
        self.identity = identity
        self.hostname = hostname
        self.environment = environment
        self.limits = limits
        self.network = network
        self.gpus = gpus
        self.seccomp = seccomp
    }

    /// The environment agent processes start with: the spec's, over sensible defaults.
    public var effectiveEnvironment: [String: String] {
        var result = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": identity.home,
            "USER": identity.userName,
            "LOGNAME": identity.userName,
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "TMPDIR": "/tmp",
        ]
        result.merge(environment) { _, new in new }
        return result
    }

    /// Checks what can be checked without touching the host.
    public func validate() throws(MLGymError) {
        try limits.validate()
        for path in [workspacePath, identity.home] + binds.map(\.sandboxPath) where !path.hasPrefix("/") {
            throw MLGymError(.invalidArgument, "sandbox path \(path) must be absolute")
        }
        for path in binds.map(\.sandboxPath) + [workspacePath]
        where path.split(separator: "/").contains("..") {
            throw MLGymError(.invalidArgument, "sandbox path \(path) must not contain '..'")
        }
        if identity.uid == 0 || identity.gid == 0 {
            throw MLGymError(.invalidArgument, "the agent must not be root (uid/gid 0); use e.g. 1000:1000")
        }
        let validHostname = !hostname.isEmpty && hostname.count <= 63
            && hostname.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        if !validHostname {
            throw MLGymError(.invalidArgument, "hostname '\(hostname)' must be 1-63 letters, digits or '-'")
        }
    }
}
