import Foundation
import MLGymAPI

/// The machine a run ran on, for its bundle's manifest: host name and kernel from here (the node-local mlgymd
/// runs on the same host), GPUs and driver as that mlgymd found them (`GET /v1/info`), so the manifest names the
/// GPUs with the same indices as the run's `gpuSelection`.
public struct HostFacts: Sendable, Equatable {
    public var hostname: String
    public var kernel: String
    public var gpus: [DaemonInfo.GPU]
    /// The NVIDIA kernel module's version ("550.54.15"), nil without NVIDIA's driver.
    public var driver: String?

    public init(hostname: String, kernel: String, gpus: [DaemonInfo.GPU], driver: String?) {
        self.hostname = hostname
        self.kernel = kernel
        self.gpus = gpus
        self.driver = driver
    }

    /// This host, with the GPUs of the daemon that ran the run.
    public init(daemon: DaemonInfo) {
        var names = utsname()
        uname(&names)
        let kernel = withUnsafeBytes(of: names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        self.init(hostname: ProcessInfo.processInfo.hostName, kernel: kernel, gpus: daemon.gpuDevices ?? [], driver: daemon.nvidiaDriver)
    }
}
