/// The NVIDIA nodes every GPU-using sandbox needs besides its `/dev/nvidiaN`.
public struct NvidiaControlNodes: Sendable, Hashable {
    /// `/dev/nvidiactl`, 195:255: the driver's control device; without it nothing works.
    public var control: DeviceNode
    /// `/dev/nvidia-uvm`, minor 0 of the dynamic `nvidia-uvm` major: CUDA's unified memory; CUDA fails without it.
    public var unifiedMemory: DeviceNode?
    /// `/dev/nvidia-uvm-tools`, minor 1: used by profilers and debuggers.
    public var unifiedMemoryTools: DeviceNode?

    public init(control: DeviceNode, unifiedMemory: DeviceNode?, unifiedMemoryTools: DeviceNode?) {
        self.control = control
        self.unifiedMemory = unifiedMemory
        self.unifiedMemoryTools = unifiedMemoryTools
    }

    /// The nodes present, in binding order.
    public var nodes: [DeviceNode] { [control] + [unifiedMemory, unifiedMemoryTools].compactMap { $0 } }
}
