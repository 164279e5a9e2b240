/// Everything the sandbox engine does to give a sandbox its GPUs, and nothing else: the output of `plan`.
///
/// The engine bind-mounts `nodes` into the sandbox's minimal `/dev` (never mknod, never `nodev`), adds
/// `deviceRules` to the default-deny device cgroup, merges `environment`, binds `libraryBinds` read-only and
/// prepends `NvidiaDriverFiles.libraryDirectory`/`binaryDirectory` to `LD_LIBRARY_PATH`/`PATH` when there are
/// any, mounts `procDriverFiles` over `/proc/driver/nvidia`, and keeps `supplementaryGroups` for the sandbox
/// user. An empty plan (selection `none`) changes nothing.
public struct GPUPassthrough: Sendable, Equatable {
    /// Selected GPUs' nodes plus the control nodes they need, each once, control nodes first.
    public var nodes: [DeviceNode]
    /// Exactly one `c major:minor rw` rule per node.
    public var deviceRules: [DeviceRule]
    /// `NVIDIA_VISIBLE_DEVICES`, `CUDA_VISIBLE_DEVICES`, `NVIDIA_DRIVER_CAPABILITIES`, `CUDA_DEVICE_ORDER`,
    /// `ROCR_VISIBLE_DEVICES`, `HIP_VISIBLE_DEVICES`, as the selection needs.
    public var environment: [String: String]
    /// Driver libraries and binaries for a foreign root filesystem; empty when the sandbox root is the host's.
    public var libraryBinds: [ReadOnlyBind]
    /// The sandbox's `/proc/driver/nvidia`; nil when no NVIDIA GPU is selected.
    public var procDriverFiles: NvidiaProcOverlay?
    /// Owner groups of nodes not open to others (AMD's `render` and `video`), sorted; the sandbox user needs them.
    public var supplementaryGroups: [UInt32]
    /// Things a person should know about this plan (an unset variable and why, a library not found).
    public var notes: [String]

    public init(
        nodes: [DeviceNode] = [], deviceRules: [DeviceRule] = [], environment: [String: String] = [:],
        libraryBinds: [ReadOnlyBind] = [], procDriverFiles: NvidiaProcOverlay? = nil, supplementaryGroups: [UInt32] = [],
        notes: [String] = []
    ) {
        self.nodes = nodes
        self.deviceRules = deviceRules
        self.environment = environment
        self.libraryBinds = libraryBinds
        self.procDriverFiles = procDriverFiles
        self.supplementaryGroups = supplementaryGroups
        self.notes = notes
    }

    /// The plan for `--gpus none`.
    public static let none = GPUPassthrough()

    /// True when the sandbox gets no GPU.
    public var isEmpty: Bool { nodes.isEmpty }

    /// Directories to prepend to `PATH` and `LD_LIBRARY_PATH` (nil when nothing was bound there).
    public var binaryPath: String? {
        libraryBinds.contains { $0.sandboxPath.hasPrefix(NvidiaDriverFiles.binaryDirectory + "/") } ? NvidiaDriverFiles.binaryDirectory : nil
    }
    public var libraryPath: String? {
        libraryBinds.contains { $0.sandboxPath.hasPrefix(NvidiaDriverFiles.libraryDirectory + "/") } ? NvidiaDriverFiles.libraryDirectory : nil
    }
}
