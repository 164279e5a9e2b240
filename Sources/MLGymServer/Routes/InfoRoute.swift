import Glibc
import MLGymAPI
import MLGymSandbox
import NIOHTTP1

/// `GET /v1/info`: the daemon's version and host facts, and the caller's credentials as the daemon sees them.
enum InfoRoute {
    static func register(on router: inout Router, engine: SandboxEngine, rootfs: String, sessions: SessionManager) {
        router.add(.GET, "/v1/info") { request in
            var info = DaemonInfo(
                version: WireCoding.mlgymVersion, apiVersion: WireCoding.apiVersion, pid: getpid(),
                callerUID: request.peer.uid, callerGID: request.peer.gid,
                cgroups: engine.cgroupHost.map { $0.mode.rawValue } ?? "none",
                gpus: engine.gpus.nvidia.count + engine.gpus.amd.count, rootfs: rootfs,
                gpuDevices: gpuDevices(engine.gpus), nvidiaDriver: engine.gpus.driverVersion)
            info.warmSandboxes = await sessions.warmSandboxes()
            info.removalsInProgress = await sessions.removalsInProgress()
            return .json(info)
        }
    }

    /// The inventory's GPUs as the API shows them (what a campaign bundle records of the node).
    static func gpuDevices(_ inventory: GPUInventory) -> [DaemonInfo.GPU] {
        inventory.nvidia.map { DaemonInfo.GPU(vendor: "nvidia", index: $0.index, model: $0.model, uuid: $0.uuid, busID: $0.busID) }
            + inventory.amd.map { DaemonInfo.GPU(vendor: "amd", index: $0.index, model: nil, uuid: nil, busID: $0.busID) }
    }
}
