/// Finds the MIG compute instances of one GPU and the capability nodes that grant access to them.
///
/// `/proc/driver/nvidia/capabilities/gpu<N>/mig/gi<G>/ci<C>/` exists for each instance; the minor of each
/// capability's `/dev/nvidia-caps/nvidia-capM` node is listed in `/proc/driver/nvidia-caps/mig-minors`
/// (`gpu0/gi1/ci0/access 12`), and also in the `access` file itself (`DeviceFileMinor: 12`).
struct MIGReader {
    let nodes: NodeChecker
    let procRoot: String
    let capsMajor: UInt32?
    let minorsByCapability: [String: UInt32]

    init(nodes: NodeChecker, procRoot: String, majors: ProcDevices) {
        self.nodes = nodes
        self.procRoot = procRoot
        self.capsMajor = majors["nvidia-caps"]
        self.minorsByCapability = Self.parseMigMinors(HostFiles.readText(procRoot + "/driver/nvidia-caps/mig-minors") ?? "")
    }

    /// `config 1`, `monitor 2`, `gpu0/gi1/access 3`, … → capability path → minor.
    static func parseMigMinors(_ text: String) -> [String: UInt32] {
        var minors: [String: UInt32] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count == 2, let minor = UInt32(fields[1]) { minors[String(fields[0])] = minor }
        }
        return minors
    }

    func devices(gpuMinor: UInt32, problems: inout [String]) -> [MIGDevice] {
        let migDirectory = procRoot + "/driver/nvidia/capabilities/gpu\(gpuMinor)/mig"
        var devices: [MIGDevice] = []
        for gi in Self.numbered(HostFiles.list(migDirectory), prefix: "gi") {
            let giPath = "gpu\(gpuMinor)/gi\(gi)/access"
            for ci in Self.numbered(HostFiles.list(migDirectory + "/gi\(gi)"), prefix: "ci") {
                let ciPath = "gpu\(gpuMinor)/gi\(gi)/ci\(ci)/access"
                guard let capsMajor else {
                    problems.append("GPU \(gpuMinor) has MIG instances but nvidia-caps is not in /proc/devices; MIG devices ignored")
                    return []
                }
                guard let giNode = capability(giPath, major: capsMajor), let ciNode = capability(ciPath, major: capsMajor) else {
                    problems.append(
                        "MIG device \(gpuMinor):\(gi):\(ci) has no /dev/nvidia-caps node; create them with "
                            + "nvidia-modprobe -f /proc/driver/nvidia/capabilities/\(ciPath)"
                    )
                    continue
                }
                devices.append(
                    MIGDevice(
                        gpuInstance: gi, computeInstance: ci, gpuInstanceCapability: giNode, computeInstanceCapability: ciNode,
                        procAccessFiles: [migDirectory + "/gi\(gi)/access", migDirectory + "/gi\(gi)/ci\(ci)/access"]
                    )
                )
            }
        }
        return devices
    }

    /// The capability node named by a `mig-minors` path, falling back to the `access` file's DeviceFileMinor.
    private func capability(_ path: String, major: UInt32) -> DeviceNode? {
        let accessFile = procRoot + "/driver/nvidia/capabilities/" + path.replacingFirst("/gi", with: "/mig/gi")
        let minor =
            minorsByCapability[path]
            ?? HostFiles.readText(accessFile).flatMap { NvidiaGPU.informationFields($0)["DeviceFileMinor"] }.flatMap { UInt32($0) }
        guard let minor else { return nil }
        return nodes.node("nvidia-caps/nvidia-cap\(minor)", major: major, minor: minor)
    }

    /// The numbers of entries named `<prefix><number>`, ascending.
    static func numbered(_ names: [String], prefix: String) -> [Int] {
        names.compactMap { name in name.hasPrefix(prefix) ? Int(name.dropFirst(prefix.count)) : nil }.sorted()
    }
}

extension String {
    /// The string with the first occurrence of `target` replaced (FoundationEssentials-free).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }
}
