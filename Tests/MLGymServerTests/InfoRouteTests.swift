import MLGymAPI
import MLGymSandbox
import MLGymTestSupport
import Testing
@testable import MLGymServer

/// What `GET /v1/info` says of the host's GPUs (what a campaign bundle's manifest records), from a fake
/// /dev, /proc and /sys tree read by the engine's own GPU discovery.
@Suite struct InfoRouteTests {
    @Test func gpusAndDriverAsTheKernelModuleReportsThem() throws {
        var tree = try FakeGPUTree(named: "info")
        defer { tree.remove() }
        try tree.addNvidiaDriver(version: "550.54.15")
        try tree.addNvidiaGPU(minor: 0, model: "NVIDIA H200")
        try tree.addNvidiaGPU(minor: 1, uuid: "GPU-5a1b", busID: "0000:3b:00.0")
        let inventory = tree.discover()
        #expect(inventory.driverVersion == "550.54.15")
        #expect(InfoRoute.gpuDevices(inventory) == [
            DaemonInfo.GPU(vendor: "nvidia", index: 0, model: "NVIDIA H200", uuid: FakeGPUTree.uuid(minor: 0), busID: FakeGPUTree.busID(minor: 0)),
            DaemonInfo.GPU(vendor: "nvidia", index: 1, model: "NVIDIA H100 80GB HBM3", uuid: "GPU-5a1b", busID: "0000:3b:00.0"),
        ])
        #expect(InfoRoute.gpuDevices(GPUInventory()).isEmpty)
    }
}
