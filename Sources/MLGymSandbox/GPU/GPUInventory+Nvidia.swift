extension GPUInventory {
    /// Reads the NVIDIA driver's view of its GPUs from `/proc/driver/nvidia` and matches it with `/dev` nodes.
    mutating func discoverNvidia(nodes: NodeChecker, procRoot: String, majors: ProcDevices) {
        let driverDirectory = procRoot + "/driver/nvidia"
        let versionText = HostFiles.readText(driverDirectory + "/version")
        guard let frontendMajor = Self.nvidiaFrontendNames.lazy.compactMap({ majors[$0] }).first ?? (versionText == nil ? nil : 195)
        else {
            if nodes.exists("nvidiactl") {
                problems.append(
                    "\(nodes.devRoot)/nvidiactl exists but no NVIDIA driver is loaded (no nvidia in \(procRoot)/devices); "
                        + "NVIDIA GPUs ignored: load it with nvidia-modprobe or modprobe nvidia"
                )
            }
            return
        }
        driverVersion = versionText.flatMap(NvidiaProcFiles.driverVersion(fromVersionFile:))
        nvidiaProcFiles = NvidiaProcFiles(
            directory: driverDirectory, params: HostFiles.readText(driverDirectory + "/params"), version: versionText,
            registry: HostFiles.readText(driverDirectory + "/registry")
        )

        var gpus = gpusFromProc(nodes: nodes, driverDirectory: driverDirectory, frontendMajor: frontendMajor)
        if gpus.isEmpty && HostFiles.list(driverDirectory + "/gpus").isEmpty {
            // Without /proc/driver/nvidia/gpus (very old drivers, or a /proc that hides it) the nodes are all we have.
            gpus = HostFiles.list(nodes.devRoot).compactMap { name in
                guard name.hasPrefix("nvidia"), let minor = UInt32(name.dropFirst(6)), minor < Self.nvidiaControlMinor - 1,
                    let node = nodes.node(name, major: frontendMajor, minor: minor)
                else { return nil }
                return NvidiaGPU(index: 0, minor: minor, uuid: nil, busID: nil, model: nil, node: node)
            }
        }
        gpus.sort { $0.minor < $1.minor }
        let migReader = MIGReader(nodes: nodes, procRoot: procRoot, majors: majors)
        for position in gpus.indices {
            gpus[position].index = position
            gpus[position].migDevices = migReader.devices(gpuMinor: gpus[position].minor, problems: &problems)
        }
        nvidia = gpus

        if let control = nodes.node("nvidiactl", major: frontendMajor, minor: Self.nvidiaControlMinor) {
            nvidiaControl = NvidiaControlNodes(
                control: control, unifiedMemory: unifiedMemoryNode("nvidia-uvm", minor: 0, nodes: nodes, majors: majors),
                unifiedMemoryTools: unifiedMemoryNode("nvidia-uvm-tools", minor: 1, nodes: nodes, majors: majors)
            )
        } else if !gpus.isEmpty {
            problems.append(
                "\(nodes.devRoot)/nvidiactl (195:255) is missing, so no NVIDIA GPU can be passed through: "
                    + "create the nodes with nvidia-modprobe -c=0 or run nvidia-smi once on the host"
            )
        }
        if !gpus.isEmpty, nvidiaControl?.unifiedMemory == nil {
            problems.append(
                "\(nodes.devRoot)/nvidia-uvm is missing (nvidia-uvm \(majors["nvidia-uvm"] == nil ? "module not loaded" : "node not created")): "
                    + "CUDA will fail in a sandbox; run nvidia-modprobe -u -c=0 on the host"
            )
        }
    }

    /// One GPU per `/proc/driver/nvidia/gpus/<bus id>/information`, kept when its `/dev/nvidiaN` checks out.
    private mutating func gpusFromProc(nodes: NodeChecker, driverDirectory: String, frontendMajor: UInt32) -> [NvidiaGPU] {
        HostFiles.list(driverDirectory + "/gpus").compactMap { busID in
            let directory = driverDirectory + "/gpus/" + busID
            guard let text = HostFiles.readText(directory + "/information") else {
                problems.append("cannot read \(directory)/information; GPU \(busID) ignored")
                return nil
            }
            let fields = NvidiaGPU.informationFields(text)
            guard let minor = fields["Device Minor"].flatMap({ UInt32($0) }) else {
                problems.append("\(directory)/information has no Device Minor; GPU \(busID) ignored")
                return nil
            }
            guard let node = nodes.node("nvidia\(minor)", major: frontendMajor, minor: minor) else {
                if !nodes.exists("nvidia\(minor)") {
                    problems.append("GPU \(busID) has no \(nodes.devRoot)/nvidia\(minor); create it with nvidia-modprobe -c=\(minor)")
                }
                return nil
            }
            let uuid = fields["GPU UUID"].flatMap { $0.hasPrefix("GPU-") && !$0.contains("?") ? $0 : nil }
            return NvidiaGPU(
                index: 0, minor: minor, uuid: uuid, busID: busID, model: fields["Model"], node: node, procDirectory: directory
            )
        }
    }

    private func unifiedMemoryNode(_ name: String, minor: UInt32, nodes: NodeChecker, majors: ProcDevices) -> DeviceNode? {
        guard let major = majors["nvidia-uvm"] else { return nil }
        return nodes.node(name, major: major, minor: minor)
    }
}
