import Glibc
import MLGymCore
import MLGymTestSupport
import Testing

@testable import MLGymSandbox

@Suite(.enabled(if: FakeGPUTree.canMakeDeviceNodes, "fake GPU trees need mknod (CAP_MKNOD; CI runs as root)"))
struct GPUInventoryTests {
    @Test func findsNvidiaGPUsControlNodesAndAMDRenderNodes() throws {
        let tree = try FakeGPUTree.standard()
        defer { tree.remove() }
        let inventory = tree.discover()

        #expect(inventory.nvidia.map(\.index) == [0, 1, 2, 3])
        #expect(inventory.nvidia.map(\.minor) == [0, 1, 2, 3])
        #expect(inventory.nvidia.map(\.uuid) == (0..<4).map { FakeGPUTree.uuid(minor: UInt32($0)) })
        #expect(inventory.nvidia[2].busID == FakeGPUTree.busID(minor: 2))
        #expect(inventory.nvidia[2].model == "NVIDIA H100 80GB HBM3")
        #expect(inventory.nvidia[2].node == DeviceNode(hostPath: tree.devRoot + "/nvidia2", sandboxPath: "/dev/nvidia2", major: 195, minor: 2))
        #expect(inventory.driverVersion == FakeGPUTree.defaultDriverVersion)
        #expect(inventory.nvidiaControl?.control.minor == 255)
        #expect(inventory.nvidiaControl?.unifiedMemory?.major == FakeGPUTree.uvmMajor)
        #expect(inventory.nvidiaControl?.unifiedMemoryTools?.minor == 1)

        #expect(inventory.kfd?.major == FakeGPUTree.kfdMajor)
        #expect(inventory.amd.map(\.renderMinor) == [128, 129])
        #expect(inventory.amd.map(\.node.sandboxPath) == ["/dev/dri/renderD128", "/dev/dri/renderD129"])
        #expect(inventory.amd[0].node.groupID == FakeGPUTree.renderGroupID)
        #expect(inventory.amd[1].busID == "0000:04:00.0")
        #expect(inventory.problems == [])
        #expect(!inventory.isEmpty)
    }

    @Test func hostWithoutGPUsIsAnEmptyInventoryNotAnError() throws {
        let tree = try FakeGPUTree(named: "empty")
        defer { tree.remove() }
        let inventory = tree.discover()
        #expect(inventory.isEmpty)
        #expect(inventory.nvidiaControl == nil && inventory.kfd == nil && inventory.driverVersion == nil)
        #expect(inventory.problems == [])
    }

    @Test func thisHostIsDiscoveredWithoutFailing() {
        let inventory = GPUInventory.discover()
        let hasDriverNodes = ["/dev/nvidiactl", "/dev/kfd"].contains { (path: String) in access(path, F_OK) == 0 }
        if !hasDriverNodes { #expect(inventory.isEmpty) }
        #expect(inventory.nvidia.map(\.index) == Array(inventory.nvidia.indices))
    }

    @Test func missingRootsAreAnEmptyInventory() {
        let inventory = GPUInventory.discover(devRoot: "/nonexistent/dev", procRoot: "/nonexistent/proc", sysRoot: "/nonexistent/sys")
        #expect(inventory.isEmpty)
    }

    @Test func nodeWithTheWrongMajorIsIgnoredAndReported() throws {
        var tree = try FakeGPUTree(named: "wrong-major")
        defer { tree.remove() }
        try tree.addNvidiaDriver()
        try tree.addNvidiaGPU(minor: 0)
        try tree.addNvidiaGPU(minor: 1)
        // Replace nvidia1 with /dev/null's device number: binding it would hand the sandbox something else.
        try tree.removeNode("nvidia1")
        try tree.makeNode("nvidia1", major: 1, minor: 3)

        let inventory = tree.discover()
        #expect(inventory.nvidia.map(\.minor) == [0])
        #expect(inventory.problems.contains { $0.contains("nvidia1") && $0.contains("expected character device 195:1") && $0.contains("1:3") })
    }

    @Test func regularFileInPlaceOfANodeIsIgnored() throws {
        var tree = try FakeGPUTree(named: "regular-file")
        defer { tree.remove() }
        try tree.addNvidiaDriver()
        try tree.addNvidiaGPU(minor: 0)
        try tree.removeNode("nvidia0")
        try tree.write("not a device", to: tree.devRoot + "/nvidia0")
        let inventory = tree.discover()
        #expect(inventory.nvidia.isEmpty)
        #expect(inventory.problems.contains { $0.contains("nvidia0") && $0.contains("regular file") })
    }

    @Test func missingUnifiedMemoryIsReportedWithTheFix() throws {
        var tree = try FakeGPUTree(named: "no-uvm")
        defer { tree.remove() }
        try tree.addNvidiaDriver(unifiedMemory: false)
        try tree.addNvidiaGPU(minor: 0)
        let inventory = tree.discover()
        #expect(inventory.nvidia.count == 1)
        #expect(inventory.nvidiaControl?.unifiedMemory == nil)
        #expect(inventory.problems.contains { $0.contains("nvidia-uvm") && $0.contains("nvidia-modprobe -u") })
    }

    @Test func unpublishedUUIDIsNil() throws {
        var tree = try FakeGPUTree(named: "uuid-unknown")
        defer { tree.remove() }
        try tree.addNvidiaDriver()
        try tree.addNvidiaGPU(minor: 0, uuid: "GPU-????????-????-????-????-????????????")
        #expect(tree.discover().nvidia.first?.uuid == nil)
    }

    @Test func gpusAreIndexedByMinorOrder() throws {
        var tree = try FakeGPUTree(named: "minor-order")
        defer { tree.remove() }
        try tree.addNvidiaDriver()
        // Bus ids sort the other way round from minors.
        try tree.addNvidiaGPU(minor: 1, busID: "0000:18:00.0")
        try tree.addNvidiaGPU(minor: 0, busID: "0000:af:00.0")
        let inventory = tree.discover()
        #expect(inventory.nvidia.map(\.minor) == [0, 1])
        #expect(inventory.nvidia.map(\.busID) == ["0000:af:00.0", "0000:18:00.0"])
    }

    @Test func migDevicesAndTheirCapabilityNodesAreFound() throws {
        var tree = try FakeGPUTree(named: "mig")
        defer { tree.remove() }
        try tree.addNvidiaDriver()
        try tree.addNvidiaGPU(minor: 0)
        try tree.addNvidiaGPU(minor: 1)
        let (gi1, ci0) = try tree.addMIG(gpuMinor: 0, gpuInstance: 1, computeInstance: 0)
        try tree.addMIG(gpuMinor: 0, gpuInstance: 2, computeInstance: 0)

        let inventory = tree.discover()
        let mig = inventory.nvidia[0].migDevices
        #expect(mig.map { [$0.gpuInstance, $0.computeInstance] } == [[1, 0], [2, 0]])
        #expect(mig[0].gpuInstanceCapability.hostPath == tree.devRoot + "/nvidia-caps/nvidia-cap\(gi1)")
        #expect(mig[0].gpuInstanceCapability.sandboxPath == "/dev/nvidia-caps/nvidia-cap\(gi1)")
        #expect(mig[0].computeInstanceCapability.minor == ci0)
        #expect(mig[0].computeInstanceCapability.major == FakeGPUTree.capsMajor)
        #expect(inventory.nvidia[1].migDevices.isEmpty)
        #expect(inventory.problems == [])
    }

    @Test func renderNodeOfAnotherVendorIsNotAnAMDGPU() throws {
        var tree = try FakeGPUTree(named: "intel")
        defer { tree.remove() }
        try tree.addAMDDriver()
        try tree.addAMDGPU(renderMinor: 128, vendor: "0x8086")
        try tree.addAMDGPU(renderMinor: 129)
        #expect(tree.discover().amd.map(\.renderMinor) == [129])
    }

    @Test func renderNodesWithoutKFDAreNotAMDGPUs() throws {
        let tree = try FakeGPUTree(named: "no-kfd")
        defer { tree.remove() }
        // nvidia-drm and Intel GPUs have render nodes too; without /dev/kfd there is no AMD compute.
        try tree.makeNode("dri/renderD128", major: 226, minor: 128)
        let inventory = tree.discover()
        #expect(inventory.isEmpty)
    }

    @Test func procDevicesSectionsAreKeptApart() {
        let devices = ProcDevices(parsing: "Character devices:\n  1 mem\n195 nvidia-frontend\n508 nvidia-uvm\n\nBlock devices:\n  7 loop\n508 kfd\n")
        #expect(devices["nvidia-uvm"] == 508)
        #expect(devices["nvidia-frontend"] == 195)
        #expect(devices["loop"] == nil)
        #expect(devices["kfd"] == nil)
    }

    @Test func driverVersionIsReadFromProprietaryAndOpenModules() {
        #expect(NvidiaProcFiles.driverVersion(fromVersionFile: "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n") == "535.104.05")
        #expect(NvidiaProcFiles.driverVersion(fromVersionFile: "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build  (dvs-builder@U16-I3-B04-4-3)\n") == "570.86.15")
        #expect(NvidiaProcFiles.driverVersion(fromVersionFile: "garbage") == nil)
    }

    @Test func deviceNumbersRoundTripLikeGlibc() {
        for (major, minor): (UInt32, UInt32) in [(195, 255), (226, 128), (4095, 1 << 19), (508, 0), (1 << 12, 300)] {
            let device = DeviceNumber.make(major: major, minor: minor)
            #expect(DeviceNumber.major(device) == major && DeviceNumber.minor(device) == minor)
        }
        #expect(DeviceNumber.make(major: 195, minor: 3) == 0xC303)
    }
}
