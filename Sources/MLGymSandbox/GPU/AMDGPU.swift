/// One AMD GPU: its DRM render node. Compute also needs `/dev/kfd`, which all AMD GPUs share.
public struct AMDGPU: Sendable, Hashable {
    /// Position among the host's AMD render nodes ordered by minor (`renderD128` first).
    public var index: Int
    /// The render node's minor (128 + N).
    public var renderMinor: UInt32
    /// `/dev/dri/renderD<minor>`, checked to be a `drm` character device.
    public var node: DeviceNode
    /// PCI bus id from sysfs (`0000:03:00.0`), when sysfs shows it.
    public var busID: String?

    public init(index: Int, renderMinor: UInt32, node: DeviceNode, busID: String? = nil) {
        self.index = index
        self.renderMinor = renderMinor
        self.node = node
        self.busID = busID
    }

    /// The render node's host path.
    public var path: String { node.hostPath }
}
