import MLGymCore

/// The GPUs a selection names on one host, resolved and checked: the step between `GPUSelection` (text) and
/// `GPUPassthrough` (mounts, rules, environment).
struct GPUChoice: Sendable {
    /// Whole NVIDIA GPUs, in the order asked; with MIG on, all their MIG devices come along.
    var nvidia: [NvidiaGPU] = []
    /// Single MIG devices with their parent GPU, in the order asked.
    var mig: [(gpu: NvidiaGPU, device: MIGDevice)] = []
    var amd: [AMDGPU] = []

    var isEmpty: Bool { nvidia.isEmpty && mig.isEmpty && amd.isEmpty }
    var hasNvidia: Bool { !nvidia.isEmpty || !mig.isEmpty }

    init(selection: GPUSelection, inventory: GPUInventory) throws(MLGymError) {
        switch selection {
        case .none:
            return
        case .all:
            guard !inventory.isEmpty else {
                throw MLGymError(.notFound, "--gpus all asked for every GPU but this host has none; use --gpus none" + Self.problems(inventory))
            }
            nvidia = inventory.nvidia
            amd = inventory.amd
        case .devices:
            for id in try selection.deviceIDs() { try add(id, inventory: inventory) }
        }
    }

    private mutating func add(_ id: GPUDeviceID, inventory: GPUInventory) throws(MLGymError) {
        switch id {
        case .index(let index):
            if !inventory.nvidia.isEmpty && !inventory.amd.isEmpty {
                throw MLGymError(
                    .invalidArgument,
                    "GPU \(index) is ambiguous: this host has NVIDIA GPUs \(Self.indices(inventory.nvidia.count)) and AMD GPUs "
                        + "\(Self.indices(inventory.amd.count)); write nvidia:\(index) or amd:\(index)"
                )
            }
            try add(vendor: inventory.amd.isEmpty ? .nvidia : .amd, index: index, asked: id, inventory: inventory)
        case .vendorIndex(let vendor, let index):
            try add(vendor: vendor, index: index, asked: id, inventory: inventory)
        case .uuid(let uuid):
            guard let gpu = inventory.nvidia.first(where: { $0.uuid?.lowercased() == uuid.lowercased() }) else {
                throw Self.missing("GPU \(uuid)", inventory: inventory)
            }
            addWhole(gpu)
        case .busID(let busID):
            if let gpu = inventory.nvidia.first(where: { $0.busID == busID }) {
                addWhole(gpu)
            } else if let gpu = inventory.amd.first(where: { $0.busID == busID }) {
                if !amd.contains(gpu) { amd.append(gpu) }
            } else {
                throw Self.missing("GPU \(busID)", inventory: inventory)
            }
        case .migIndex(let index, let gi, let ci):
            guard inventory.nvidia.indices.contains(index) else { throw Self.missing("GPU \(index) of MIG device \(id)", inventory: inventory) }
            try addMIG(gpu: inventory.nvidia[index], gi: gi, ci: ci, asked: id)
        case .migOfUUID(let uuid, let gi, let ci):
            guard let gpu = inventory.nvidia.first(where: { $0.uuid?.lowercased() == uuid.lowercased() }) else {
                throw Self.missing("GPU \(uuid) of MIG device \(id)", inventory: inventory)
            }
            try addMIG(gpu: gpu, gi: gi, ci: ci, asked: id)
        case .migUUID(let uuid):
            throw MLGymError(
                .invalidArgument,
                "MIG device \(uuid) cannot be matched: the kernel driver does not publish MIG UUIDs; name it as <gpu>:<gi>:<ci> "
                    + "(this host has \(Self.migList(inventory)); nvidia-smi mig -lci shows GPU and compute instance ids)"
            )
        }
    }

    private mutating func add(vendor: GPUVendor, index: Int, asked: GPUDeviceID, inventory: GPUInventory) throws(MLGymError) {
        switch vendor {
        case .nvidia:
            guard inventory.nvidia.indices.contains(index) else { throw Self.missing("GPU \(asked)", inventory: inventory) }
            addWhole(inventory.nvidia[index])
        case .amd:
            guard inventory.amd.indices.contains(index) else { throw Self.missing("GPU \(asked)", inventory: inventory) }
            if !amd.contains(inventory.amd[index]) { amd.append(inventory.amd[index]) }
        }
    }

    private mutating func addWhole(_ gpu: NvidiaGPU) {
        if !nvidia.contains(gpu) { nvidia.append(gpu) }
    }

    private mutating func addMIG(gpu: NvidiaGPU, gi: Int, ci: Int, asked: GPUDeviceID) throws(MLGymError) {
        guard let device = gpu.migDevices.first(where: { $0.gpuInstance == gi && $0.computeInstance == ci }) else {
            throw MLGymError(.notFound, "MIG device \(asked) does not exist (this host has \(Self.migList(inventory: [gpu])))")
        }
        if !mig.contains(where: { $0.gpu == gpu && $0.device == device }) { mig.append((gpu, device)) }
    }

    private static func missing(_ what: String, inventory: GPUInventory) -> MLGymError {
        guard !inventory.isEmpty else {
            return MLGymError(.notFound, "\(what) asked but this host has no GPU; use --gpus none" + problems(inventory))
        }
        var has: [String] = []
        if !inventory.nvidia.isEmpty {
            has.append("NVIDIA GPUs " + inventory.nvidia.map { gpu in gpu.uuid.map { "\(gpu.index) (\($0))" } ?? "\(gpu.index)" }.joined(separator: ", "))
        }
        if !inventory.amd.isEmpty { has.append("AMD GPUs \(indices(inventory.amd.count))") }
        return MLGymError(.notFound, "\(what) does not exist (this host has \(has.joined(separator: " and ")))")
    }

    private static func migList(_ inventory: GPUInventory) -> String { migList(inventory: inventory.nvidia) }

    private static func migList(inventory gpus: [NvidiaGPU]) -> String {
        let devices = gpus.flatMap { gpu in gpu.migDevices.map { "\(gpu.index):\($0.gpuInstance):\($0.computeInstance)" } }
        return devices.isEmpty ? "no MIG devices" : "MIG devices " + devices.joined(separator: ", ")
    }

    private static func indices(_ count: Int) -> String { (0..<count).map(String.init).joined(separator: ", ") }

    private static func problems(_ inventory: GPUInventory) -> String {
        inventory.problems.isEmpty ? "" : " (" + inventory.problems.joined(separator: "; ") + ")"
    }
}
