import MLGymCore
import MLGymTestSupport
import Testing

@testable import MLGymSandbox

@Suite(.enabled(if: FakeGPUTree.canMakeDeviceNodes, "fake GPU trees need mknod (CAP_MKNOD; CI runs as root)"))
struct GPUPassthroughTests {
    private static func plan(_ selection: String, _ inventory: GPUInventory) throws -> GPUPassthrough {
        try GPUPassthrough.plan(selection: GPUSelection(parsing: selection), inventory: inventory, foreignRootfs: false)
    }

    private static func error(_ selection: String, _ inventory: GPUInventory) -> MLGymError? {
        do {
            _ = try plan(selection, inventory)
            return nil
        } catch {
            return error as? MLGymError
        }
    }

    @Test func selectedIndicesGetExactlyTheirNodesAndTheControlNodes() throws {
        let tree = try FakeGPUTree.nvidiaOnly()
        defer { tree.remove() }
        let plan = try Self.plan("0,2", tree.discover())

        #expect(plan.nodes.map(\.sandboxPath) == ["/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia0", "/dev/nvidia2"])
        #expect(plan.nodes.map(\.hostPath) == plan.nodes.map { tree.devRoot + $0.sandboxPath.dropFirst(4) })
        let uvm = FakeGPUTree.uvmMajor
        #expect(plan.deviceRules.map(\.description) == ["c 195:255 rw", "c \(uvm):0 rw", "c \(uvm):1 rw", "c 195:0 rw", "c 195:2 rw"])
        #expect(!plan.deviceRules.contains { $0.major == 195 && ($0.minor == 1 || $0.minor == 3) })
        let uuids = [0, 2].map { FakeGPUTree.uuid(minor: UInt32($0)) }.joined(separator: ",")
        #expect(plan.environment == [
            "NVIDIA_VISIBLE_DEVICES": uuids, "CUDA_VISIBLE_DEVICES": uuids,
            "NVIDIA_DRIVER_CAPABILITIES": "compute,utility", "CUDA_DEVICE_ORDER": "PCI_BUS_ID",
        ])
        #expect(plan.supplementaryGroups == [])
        #expect(plan.libraryBinds == [])
        #expect(plan.notes == [])
    }

    @Test func allSelectsEveryGPUOfEveryVendor() throws {
        let tree = try FakeGPUTree.standard()
        defer { tree.remove() }
        let plan = try Self.plan("all", tree.discover())
        #expect(plan.nodes.map(\.sandboxPath) == [
            "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia0", "/dev/nvidia1", "/dev/nvidia2",
            "/dev/nvidia3", "/dev/kfd", "/dev/dri/renderD128", "/dev/dri/renderD129",
        ])
        #expect(plan.deviceRules.count == plan.nodes.count)
        #expect(plan.environment["ROCR_VISIBLE_DEVICES"] == "0,1")
        #expect(plan.environment["HIP_VISIBLE_DEVICES"] == "0,1")
        #expect(plan.environment["CUDA_VISIBLE_DEVICES"]?.split(separator: ",").count == 4)
        #expect(plan.supplementaryGroups == [FakeGPUTree.renderGroupID])
    }

    @Test func noneIsAnEmptyPlanOnAnyHost() throws {
        let tree = try FakeGPUTree.standard()
        defer { tree.remove() }
        #expect(try Self.plan("none", tree.discover()) == .none)
        let empty = try FakeGPUTree(named: "none-empty")
        defer { empty.remove() }
        let plan = try Self.plan("none", empty.discover())
        #expect(plan.isEmpty && plan.deviceRules.isEmpty && plan.environment.isEmpty)
    }

    @Test func allOnAHostWithoutGPUsIsAnErrorThatSuggestsNone() throws {
        let tree = try FakeGPUTree(named: "all-empty")
        defer { tree.remove() }
        let error = try #require(Self.error("all", tree.discover()))
        #expect(error.code == .notFound)
        #expect(error.message.contains("--gpus all") && error.message.contains("--gpus none"))
    }

    @Test func uuidSelectsThatGPU() throws {
        let tree = try FakeGPUTree.nvidiaOnly()
        defer { tree.remove() }
        let uuid = FakeGPUTree.uuid(minor: 3)
        let plan = try Self.plan(uuid.lowercased(), tree.discover())
        #expect(plan.nodes.filter { $0.major == 195 && $0.minor < 255 }.map(\.minor) == [3])
        #expect(plan.environment["CUDA_VISIBLE_DEVICES"] == uuid)
    }

    @Test func busIDSelectsThatGPU() throws {
        let tree = try FakeGPUTree.nvidiaOnly()
        defer { tree.remove() }
        let plan = try Self.plan(FakeGPUTree.busID(minor: 1).uppercased(), tree.discover())
        #expect(plan.nodes.map(\.sandboxPath).last == "/dev/nvidia1")
    }

    @Test func unknownIndexNamesWhatWasAskedAndWhatExists() throws {
        var tree = try FakeGPUTree(named: "two")
        defer { tree.remove() }
        try tree.addNvidiaDriver()
        try tree.addNvidiaGPU(minor: 0)
        try tree.addNvidiaGPU(minor: 1)
        let error = try #require(Self.error("3", tree.discover()))
        #expect(error.code == .notFound)
        #expect(error.message.hasPrefix("GPU 3 does not exist (this host has NVIDIA GPUs 0 (GPU-"))
        #expect(error.message.contains("1 (\(FakeGPUTree.uuid(minor: 1)))"))
    }

    @Test func unknownUUIDAndGPUOnAGPULessHostAreErrors() throws {
        let tree = try FakeGPUTree.nvidiaOnly()
        defer { tree.remove() }
        let unknown = try #require(Self.error("GPU-deadbeef-0000", tree.discover()))
        #expect(unknown.message.contains("GPU GPU-deadbeef-0000 does not exist"))
        let empty = try FakeGPUTree(named: "index-empty")
        defer { empty.remove() }
        let none = try #require(Self.error("0", empty.discover()))
        #expect(none.message == "GPU 0 asked but this host has no GPU; use --gpus none")
    }

    @Test func plainIndexIsAmbiguousOnAMixedHost() throws {
        let tree = try FakeGPUTree.standard()
        defer { tree.remove() }
        let error = try #require(Self.error("0", tree.discover()))
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("nvidia:0 or amd:0"))
        let plan = try Self.plan("amd:1", tree.discover())
        #expect(plan.nodes.map(\.sandboxPath) == ["/dev/kfd", "/dev/dri/renderD129"])
        #expect(plan.environment == ["ROCR_VISIBLE_DEVICES": "0", "HIP_VISIBLE_DEVICES": "0"])
        #expect(plan.supplementaryGroups == [FakeGPUTree.renderGroupID])
    }

    @Test func withoutUUIDsCUDAIndicesAreTheSandboxsOwn() throws {
        var tree = try FakeGPUTree(named: "no-uuid")
        defer { tree.remove() }
        try tree.addNvidiaDriver()
        for minor: UInt32 in 0..<3 { try tree.addNvidiaGPU(minor: minor, uuid: "GPU-????????-????-????-????-????????????") }
        let plan = try Self.plan("2,1", tree.discover())
        #expect(plan.environment["NVIDIA_VISIBLE_DEVICES"] == "2,1")
        #expect(plan.environment["CUDA_VISIBLE_DEVICES"] == "0,1")
    }

    @Test func migDeviceGetsItsParentAndOnlyItsCapabilities() throws {
        var tree = try FakeGPUTree(named: "mig-plan")
        defer { tree.remove() }
        try tree.addNvidiaDriver()
        try tree.addNvidiaGPU(minor: 0)
        try tree.addNvidiaGPU(minor: 1)
        let (gi1, ci10) = try tree.addMIG(gpuMinor: 0, gpuInstance: 1, computeInstance: 0)
        let (gi2, ci20) = try tree.addMIG(gpuMinor: 0, gpuInstance: 2, computeInstance: 0)
        let inventory = tree.discover()

        let plan = try Self.plan("0:1:0", inventory)
        let caps = FakeGPUTree.capsMajor
        #expect(plan.nodes.map(\.sandboxPath).suffix(3) == ["/dev/nvidia0", "/dev/nvidia-caps/nvidia-cap\(gi1)", "/dev/nvidia-caps/nvidia-cap\(ci10)"])
        #expect(!plan.deviceRules.contains { $0.major == caps && ($0.minor == gi2 || $0.minor == ci20) })
        #expect(plan.environment["NVIDIA_VISIBLE_DEVICES"] == "MIG-\(FakeGPUTree.uuid(minor: 0))/1/0")
        #expect(plan.environment["CUDA_VISIBLE_DEVICES"] == nil)
        #expect(plan.notes.contains { $0.contains("CUDA_VISIBLE_DEVICES is left unset") })
        #expect(plan.procDriverFiles?.binds.map(\.sandboxPath) == [
            "/proc/driver/nvidia/gpus/\(FakeGPUTree.busID(minor: 0))",
            "/proc/driver/nvidia/capabilities/gpu0/mig/gi1/access",
            "/proc/driver/nvidia/capabilities/gpu0/mig/gi1/ci0/access",
        ])

        let legacy = try Self.plan("MIG-\(FakeGPUTree.uuid(minor: 0))/2/0", inventory)
        #expect(legacy.deviceRules.contains { $0.major == caps && $0.minor == ci20 })

        // A whole GPU in MIG mode brings all its MIG devices; CUDA could use none of them otherwise.
        let whole = try Self.plan("0", inventory)
        #expect(Set(whole.deviceRules.filter { $0.major == caps }.compactMap(\.minor)) == [gi1, ci10, gi2, ci20])

        let missing = try #require(Self.error("0:3:0", inventory))
        #expect(missing.message == "MIG device 0:3:0 does not exist (this host has MIG devices 0:1:0, 0:2:0)")
        let byUUID = try #require(Self.error("MIG-5c8f7e21-aaaa-bbbb-cccc-0123456789ab", inventory))
        #expect(byUUID.code == .invalidArgument && byUUID.message.contains("<gpu>:<gi>:<ci>"))
    }

    @Test func procOverlayShowsOnlySelectedGPUsAndStopsDeviceFileCreation() throws {
        let tree = try FakeGPUTree.nvidiaOnly()
        defer { tree.remove() }
        let overlay = try #require(try Self.plan("1", tree.discover()).procDriverFiles)
        #expect(overlay.binds == [ReadOnlyBind(
            hostPath: tree.procRoot + "/driver/nvidia/gpus/\(FakeGPUTree.busID(minor: 1))",
            sandboxPath: "/proc/driver/nvidia/gpus/\(FakeGPUTree.busID(minor: 1))"
        )])
        #expect(overlay.files["params"]?.contains("ModifyDeviceFiles: 0") == true)
        #expect(overlay.files["params"]?.contains("ModifyDeviceFiles: 1") == false)
        #expect(overlay.files["version"]?.contains(FakeGPUTree.defaultDriverVersion) == true)
        #expect(overlay.files["registry"] != nil)
    }

    @Test func missingControlNodeRefusesNvidiaPassthrough() throws {
        let tree = try FakeGPUTree.nvidiaOnly()
        defer { tree.remove() }
        try tree.removeNode("nvidiactl")
        let error = try #require(Self.error("0", tree.discover()))
        #expect(error.code == .unsupported && error.message.contains("nvidiactl"))
    }

    @Test func rootOnlyNodeIsReportedNotGrantedGroupZero() throws {
        var tree = try FakeGPUTree(named: "root-only")
        defer { tree.remove() }
        try tree.addAMDDriver()
        try tree.makeNode("dri/renderD128", major: FakeGPUTree.drmMajor, minor: 128, mode: 0o660, groupID: 0)
        let plan = try Self.plan("all", tree.discover())
        #expect(plan.supplementaryGroups == [FakeGPUTree.renderGroupID])
        #expect(plan.notes.contains { $0.contains("renderD128") && $0.contains("only to root") })
    }
}
