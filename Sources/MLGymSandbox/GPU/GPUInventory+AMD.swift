extension GPUInventory {
    /// PCI vendor id of AMD in sysfs.
    static let amdVendorID = "0x1002"
    /// The DRM major when `/proc/devices` does not name it.
    static let drmDefaultMajor: UInt32 = 226

    /// Finds `/dev/kfd` and the AMD render nodes under `/dev/dri`.
    ///
    /// Render nodes also belong to Intel and NVIDIA (nvidia-drm) GPUs, so a node counts only when `/dev/kfd`
    /// exists and sysfs says its device's vendor is AMD (when sysfs shows no vendor, the node is kept).
    mutating func discoverAMD(nodes: NodeChecker, sysRoot: String, majors: ProcDevices) {
        guard let kfdMajor = majors["kfd"] else {
            if nodes.exists("kfd") {
                problems.append("\(nodes.devRoot)/kfd exists but kfd is not in /proc/devices (amdgpu not loaded?); AMD GPUs ignored")
            }
            return
        }
        guard let kfdNode = nodes.node("kfd", major: kfdMajor, minor: 0) else { return }
        kfd = kfdNode
        let drmMajor = majors["drm"] ?? Self.drmDefaultMajor
        var gpus: [AMDGPU] = []
        for name in HostFiles.list(nodes.devRoot + "/dri") {
            guard name.hasPrefix("renderD"), let minor = UInt32(name.dropFirst(7)) else { continue }
            let deviceDirectory = sysRoot + "/class/drm/" + name + "/device"
            if let vendor = HostFiles.readText(deviceDirectory + "/vendor")?.trimmingSpaces, vendor != Self.amdVendorID {
                continue
            }
            guard let node = nodes.node("dri/" + name, major: drmMajor, minor: minor) else { continue }
            let busID = HostFiles.realPath(deviceDirectory).flatMap { GPUDeviceID.normalizedBusID(HostFiles.baseName($0)) }
            gpus.append(AMDGPU(index: 0, renderMinor: minor, node: node, busID: busID))
        }
        gpus.sort { $0.renderMinor < $1.renderMinor }
        for position in gpus.indices { gpus[position].index = position }
        amd = gpus
    }
}
