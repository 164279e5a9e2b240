import MLGymCore

extension GPUPassthrough {
    /// Turns a selection into the mounts, cgroup rules and environment that give a sandbox exactly those GPUs.
    ///
    /// - Parameters:
    ///   - foreignRootfs: the sandbox root is an image, not the host's `/`, so the driver's libraries and
    ///     binaries must be bound in (with the host root they are already there).
    ///   - ldCache: `ldconfig -p` output to resolve libraries from; nil reads `ldCachePath` directly.
    ///   - binaryDirectories: where `nvidia-smi` and friends are looked for.
    /// - Throws: `notFound` when a named GPU or MIG device does not exist, and for `all` on a host without
    ///   GPUs (a task that asks for GPUs should not silently run on CPU; `none` is the way to say "no GPU");
    ///   `invalidArgument` for an ambiguous index or an unmatchable MIG UUID; `unsupported` when the NVIDIA
    ///   control node is missing.
    public static func plan(
        selection: GPUSelection, inventory: GPUInventory, foreignRootfs: Bool, ldCache: String? = nil,
        ldCachePath: String = "/etc/ld.so.cache", binaryDirectories: [String] = NvidiaDriverFiles.defaultBinaryDirectories
    ) throws(MLGymError) -> GPUPassthrough {
        let choice = try GPUChoice(selection: selection, inventory: inventory)
        guard !choice.isEmpty else { return .none }
        var plan = GPUPassthrough()
        if choice.hasNvidia {
            try plan.addNvidia(choice, inventory: inventory)
            if foreignRootfs {
                plan.addDriverFiles(inventory: inventory, ldCache: ldCache, ldCachePath: ldCachePath, binaryDirectories: binaryDirectories)
            }
        }
        if !choice.amd.isEmpty, let kfd = inventory.kfd {
            plan.addAMD(choice.amd, kfd: kfd)
        }
        plan.deviceRules = plan.nodes.map(\.deviceRule)
        plan.addGroups()
        return plan
    }

    private mutating func add(_ node: DeviceNode) {
        if !nodes.contains(where: { $0.major == node.major && $0.minor == node.minor }) { nodes.append(node) }
    }

    private mutating func addNvidia(_ choice: GPUChoice, inventory: GPUInventory) throws(MLGymError) {
        guard let control = inventory.nvidiaControl else {
            throw MLGymError(
                .unsupported,
                "cannot pass NVIDIA GPUs through: /dev/nvidiactl is missing; create the nodes with nvidia-modprobe -c=0 "
                    + "or run nvidia-smi once on the host"
            )
        }
        control.nodes.forEach { add($0) }
        if control.unifiedMemory == nil {
            notes.append("/dev/nvidia-uvm is missing on the host: CUDA will fail in the sandbox; run nvidia-modprobe -u -c=0 on the host")
        }
        var visible: [String] = []
        var involvedGPUs: [NvidiaGPU] = []
        for gpu in choice.nvidia {
            add(gpu.node)
            for device in gpu.migDevices {
                add(device.gpuInstanceCapability)
                add(device.computeInstanceCapability)
            }
            visible.append(gpu.uuid ?? "\(gpu.index)")
            involvedGPUs.append(gpu)
        }
        for (gpu, device) in choice.mig {
            add(gpu.node)
            add(device.gpuInstanceCapability)
            add(device.computeInstanceCapability)
            visible.append(gpu.uuid.map { "MIG-\($0)/\(device.gpuInstance)/\(device.computeInstance)" } ?? "\(gpu.index):\(device.gpuInstance):\(device.computeInstance)")
            if !involvedGPUs.contains(gpu) { involvedGPUs.append(gpu) }
        }
        environment["NVIDIA_VISIBLE_DEVICES"] = visible.joined(separator: ",")
        environment["NVIDIA_DRIVER_CAPABILITIES"] = "compute,utility"
        environment["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID"
        let migInvolved = !choice.mig.isEmpty || choice.nvidia.contains { !$0.migDevices.isEmpty }
        if migInvolved {
            notes.append(
                "CUDA_VISIBLE_DEVICES is left unset: MIG devices are limited by their capability nodes, and CUDA takes "
                    + "MIG devices only by MIG UUID, which the kernel driver does not publish"
            )
        } else if choice.nvidia.allSatisfy({ $0.uuid != nil }) {
            environment["CUDA_VISIBLE_DEVICES"] = choice.nvidia.compactMap(\.uuid).joined(separator: ",")
        } else {
            // Without UUIDs, indices are the sandbox's own: CUDA numbers from 0 the GPUs whose nodes it can open.
            environment["CUDA_VISIBLE_DEVICES"] = (0..<choice.nvidia.count).map(String.init).joined(separator: ",")
        }
        if let proc = inventory.nvidiaProcFiles {
            procDriverFiles = NvidiaProcOverlay.plan(
                proc: proc, gpus: involvedGPUs, mig: choice.nvidia.flatMap(\.migDevices) + choice.mig.map(\.device)
            )
        }
    }

    private mutating func addDriverFiles(inventory: GPUInventory, ldCache: String?, ldCachePath: String, binaryDirectories: [String]) {
        guard let version = inventory.driverVersion else {
            notes.append("the NVIDIA driver version is unknown (no /proc/driver/nvidia/version), so no driver libraries were bound")
            return
        }
        let cache: LDCache
        if let ldCache {
            cache = LDCache(ldconfigOutput: ldCache)
        } else {
            do {
                cache = try LDCache.load(path: ldCachePath)
            } catch {
                notes.append("no driver libraries bound: \(error.message)")
                return
            }
        }
        libraryBinds = NvidiaDriverFiles.libraryBinds(cache: cache, driverVersion: version, notes: &notes)
            + NvidiaDriverFiles.binaryBinds(directories: binaryDirectories)
    }

    private mutating func addAMD(_ gpus: [AMDGPU], kfd: DeviceNode) {
        add(kfd)
        gpus.forEach { add($0.node) }
        // Indices are the sandbox's own: ROCr numbers from 0 the GPUs whose render nodes it can open.
        let visible = (0..<gpus.count).map(String.init).joined(separator: ",")
        environment["ROCR_VISIBLE_DEVICES"] = visible
        environment["HIP_VISIBLE_DEVICES"] = visible
    }

    /// Groups the sandbox user needs to open nodes that are not open to everyone. Group 0 is never handed out:
    /// a root-group-only node is reported instead.
    private mutating func addGroups() {
        var groups: Set<UInt32> = []
        for node in nodes where !node.isOpenToOthers {
            if node.groupID == 0 {
                notes.append(
                    "\(node.hostPath) is open only to root (mode \(String(node.mode, radix: 8))): a non-root sandbox user cannot use it; "
                        + "give it a group such as render (udev rule) or mode 0666"
                )
            } else {
                groups.insert(node.groupID)
            }
        }
        supplementaryGroups = groups.sorted()
    }
}
