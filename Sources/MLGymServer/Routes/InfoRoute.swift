import Glibc
import MLGymAPI
import MLGymSandbox
import NIOHTTP1

/// `GET /v1/info`: the daemon's version and host facts, and the caller's credentials as the daemon sees them.
enum InfoRoute {
    static func register(on router: inout Router, engine: SandboxEngine, rootfs: String) {
        router.add(.GET, "/v1/info") { request in
            .json(DaemonInfo(
                version: WireCoding.mlgymVersion, apiVersion: WireCoding.apiVersion, pid: getpid(),
                callerUID: request.peer.uid, callerGID: request.peer.gid,
                cgroups: engine.cgroupHost.map { $0.mode.rawValue } ?? "none",
                gpus: engine.gpus.nvidia.count + engine.gpus.amd.count, rootfs: rootfs))
        }
    }
}
