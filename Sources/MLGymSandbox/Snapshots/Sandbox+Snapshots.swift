import CSandbox
import Glibc

/// What a snapshot needs to know of a sandbox: where its writable state lives on the host, which directories
/// in it are mount points inside, and its freezer.
extension Sandbox {
    /// A part of the sandbox's writable state: the workspace and the agent's home (dotfiles, caches,
    /// user-installed packages). `/tmp`, `/dev/shm` and running processes are not kept, nor is the overlay's
    /// upper directory of a directory root filesystem as a layer: overlayfs does not allow its layers to change
    /// while it is mounted, so a restore or a tree fork cannot write it (an image snapshot holds it whole, and
    /// a fork from one mounts it before its overlay).
    public struct WritableLayer: Sendable, Equatable {
        public var name: String
        public var hostPath: String
    }

    /// The environment its processes start with (the shell's before the agent exports anything).
    public var startEnvironment: [String: String] { environment }

    /// Whether the workspace is the sandbox's own (on its volume), not a host directory a client bound in:
    /// only then can a snapshot hold it and a fork or restore write it.
    public var ownsWorkspace: Bool { spec.workspaceHostPath == nil }

    /// The layers' names, as a tree snapshot names its directories and indexes.
    static let workspaceLayerName = "workspace"
    static let layerNames = [workspaceLayerName, MountPlan.homeDirectoryName]

    public var writableLayers: [WritableLayer] {
        [
            WritableLayer(name: Self.workspaceLayerName, hostPath: workspaceHostPath),
            WritableLayer(name: MountPlan.homeDirectoryName, hostPath: volumeHostPath + "/" + MountPlan.homeDirectoryName),
        ]
    }

    /// The host ids the agent's files carry on the volume's disk: the agent's own, or, on a fork's idmapped
    /// volume, its parent's (what an image snapshot of it holds).
    public var volumeDiskOwner: (uid: UInt32, gid: UInt32) {
        if volume?.idmapped == true, let owner = spec.volumeOwner { return owner }
        return (agentHostUID, agentHostGID)
    }

    /// Whether the volume is mounted idmapped (its files need no change of owner for this agent).
    public var volumeIsIDMapped: Bool { volume?.idmapped == true }

    /// The sandbox's volume image and where it is mounted, when it has a disk limit.
    public var volumeImage: (image: String, mountPoint: String)? {
        volume.map { ($0.imagePath, $0.mountPoint) }
    }

    /// Per layer, the directories (relative to it) that are mount points inside the sandbox: the workspace in
    /// the home, the task's data in the workspace. They must stay in place on the host, where removing one
    /// would unmount it inside.
    var mountPointsByLayer: [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        func relative(_ path: String, to base: String) -> String? {
            path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : nil
        }
        if let inHome = relative(spec.workspacePath, to: spec.identity.home) {
            result[MountPlan.homeDirectoryName, default: []].insert(inHome)
        }
        for bind in spec.binds {
            if let inWorkspace = relative(bind.sandboxPath, to: spec.workspacePath) {
                result[Self.workspaceLayerName, default: []].insert(inWorkspace)
            } else if let inHome = relative(bind.sandboxPath, to: spec.identity.home) {
                result[MountPlan.homeDirectoryName, default: []].insert(inHome)
            }
        }
        return result
    }

    /// Whether `freezeProcesses` can stop the sandbox (it has a cgroup; the freezer itself is tried then).
    var canFreeze: Bool { cgroup != nil }

    /// Stops every process of the sandbox (its cgroup's freezer); false when there is no freezer here.
    func freezeProcesses() -> Bool { cgroup?.freeze() ?? false }

    func thawProcesses() { cgroup?.thaw() }
}
