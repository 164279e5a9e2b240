/// One MIG compute instance: the unit CUDA sees as a device when MIG is on.
///
/// Access is granted by capability nodes, not by `/dev/nvidiaN` alone: a process needs the parent GPU's node,
/// the GPU instance's `nvidia-capM` and the compute instance's `nvidia-capM`. The minors come from
/// `/proc/driver/nvidia-caps/mig-minors`.
public struct MIGDevice: Sendable, Hashable {
    public var gpuInstance: Int
    public var computeInstance: Int
    /// `/dev/nvidia-caps/nvidia-capM` for `gpu<N>/gi<G>/access`.
    public var gpuInstanceCapability: DeviceNode
    /// `/dev/nvidia-caps/nvidia-capM` for `gpu<N>/gi<G>/ci<C>/access`.
    public var computeInstanceCapability: DeviceNode
    /// Host `/proc/driver/nvidia/capabilities/gpu<N>/mig/gi<G>/access` and `…/ci<C>/access`; the `/proc`
    /// overlay shows them so the driver's user-space finds the capabilities it holds.
    public var procAccessFiles: [String]

    public init(
        gpuInstance: Int, computeInstance: Int, gpuInstanceCapability: DeviceNode,
        computeInstanceCapability: DeviceNode, procAccessFiles: [String] = []
    ) {
        self.gpuInstance = gpuInstance
        self.computeInstance = computeInstance
        self.gpuInstanceCapability = gpuInstanceCapability
        self.computeInstanceCapability = computeInstanceCapability
        self.procAccessFiles = procAccessFiles
    }
}
