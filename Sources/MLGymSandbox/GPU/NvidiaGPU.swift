/// One NVIDIA GPU the host's driver reports, with the node that opens it.
public struct NvidiaGPU: Sendable, Hashable {
    /// Position among the host's NVIDIA GPUs ordered by device minor; usually the `nvidia-smi` index, since the
    /// driver hands out minors in PCI bus order. UUIDs are the unambiguous way to name a GPU.
    public var index: Int
    /// The `N` of `/dev/nvidiaN` (`Device Minor` in the driver's information file).
    public var minor: UInt32
    /// `GPU-…`; nil when the driver has not published it yet (it prints `GPU-????????-…` then).
    public var uuid: String?
    /// PCI bus id as `/proc/driver/nvidia/gpus` names it (`0000:3b:00.0`).
    public var busID: String?
    public var model: String?
    /// `/dev/nvidiaN`, checked to be the character device 195:N.
    public var node: DeviceNode
    /// The host's `/proc/driver/nvidia/gpus/<bus id>` directory, which the sandbox's `/proc` overlay shows.
    public var procDirectory: String?
    /// MIG compute instances on this GPU; empty when MIG is off.
    public var migDevices: [MIGDevice]

    public init(
        index: Int, minor: UInt32, uuid: String?, busID: String?, model: String?, node: DeviceNode,
        procDirectory: String? = nil, migDevices: [MIGDevice] = []
    ) {
        self.index = index
        self.minor = minor
        self.uuid = uuid
        self.busID = busID
        self.model = model
        self.node = node
        self.procDirectory = procDirectory
        self.migDevices = migDevices
    }

    /// The fields of a `/proc/driver/nvidia/gpus/<bus id>/information` file (`Model:`, `GPU UUID:`,
    /// `Device Minor:`, `Bus Location:`), keyed by the text before the first colon.
    static func informationFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].trimmingSpaces] = line[line.index(after: colon)...].trimmingSpaces
        }
        return fields
    }
}
