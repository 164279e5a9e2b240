/// What GPUs the host has, and the nodes that reach them: the input of `GPUPassthrough.plan`.
///
/// Built by `discover(devRoot:procRoot:sysRoot:)` from `/dev`, `/proc` and `/sys` (tests point these at fake
/// trees). A host without GPUs gives an empty inventory, never an error; things that look broken (a node with
/// the wrong device number, a driver module not loaded) are kept in `problems` so a person can be told why a
/// GPU they expected is missing.
public struct GPUInventory: Sendable {
    public var nvidia: [NvidiaGPU]
    public var amd: [AMDGPU]
    /// The running NVIDIA kernel module's version (`550.54.15`), from `/proc/driver/nvidia/version`. Driver
    /// libraries bound into a foreign rootfs must carry exactly this version.
    public var driverVersion: String?
    /// `/dev/nvidiactl` and the unified-memory nodes; nil without an NVIDIA driver.
    public var nvidiaControl: NvidiaControlNodes?
    /// `/dev/kfd`, AMD's compute node shared by all its GPUs; nil without the amdgpu driver.
    public var kfd: DeviceNode?
    /// Files of the host's `/proc/driver/nvidia` the sandbox's `/proc` overlay copies.
    public var nvidiaProcFiles: NvidiaProcFiles?
    /// Why something that looked like a GPU was ignored or will not work, one line each, with what to do.
    public var problems: [String]

    public init(
        nvidia: [NvidiaGPU] = [], amd: [AMDGPU] = [], driverVersion: String? = nil,
        nvidiaControl: NvidiaControlNodes? = nil, kfd: DeviceNode? = nil, nvidiaProcFiles: NvidiaProcFiles? = nil,
        problems: [String] = []
    ) {
        self.nvidia = nvidia
        self.amd = amd
        self.driverVersion = driverVersion
        self.nvidiaControl = nvidiaControl
        self.kfd = kfd
        self.nvidiaProcFiles = nvidiaProcFiles
        self.problems = problems
    }

    /// True when the host has no usable GPU: the normal case on CPU machines.
    public var isEmpty: Bool { nvidia.isEmpty && amd.isEmpty }

    /// One line per GPU, for `mlgym-sandbox gpus` and error messages.
    public var summary: [String] {
        nvidia.map { gpu in
            "nvidia \(gpu.index): \(gpu.model ?? "NVIDIA GPU") \(gpu.uuid ?? "(no UUID)") \(gpu.busID ?? "") \(gpu.node.hostPath)"
                + (gpu.migDevices.isEmpty ? "" : " MIG: " + gpu.migDevices.map { "\(gpu.index):\($0.gpuInstance):\($0.computeInstance)" }.joined(separator: " "))
        } + amd.map { gpu in "amd \(gpu.index): \(gpu.busID ?? "") \(gpu.node.hostPath)" }
    }
}
