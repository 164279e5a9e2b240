/// `GET /v1/info`: who the daemon is and who it thinks the caller is (from SO_PEERCRED).
public struct DaemonInfo: Codable, Sendable, Equatable {
    public var version: String
    public var apiVersion: String
    public var pid: Int32
    public var callerUID: UInt32
    public var callerGID: UInt32
    /// `v2`, `v1` or `hybrid`, or `none` when the daemon runs without cgroups.
    public var cgroups: String
    public var gpus: Int
    public var rootfs: String
    /// The host's GPUs as the daemon found them (what its sessions' `gpus` indices name); nil from older daemons.
    public var gpuDevices: [GPU]?
    /// The NVIDIA kernel module's version ("550.54.15"), when the host has the driver.
    public var nvidiaDriver: String?
    /// Sandboxes built ahead and ready for a start, when the daemon keeps a warm pool (`--warm-pool`).
    public var warmSandboxes: Int?
    /// Stopped sessions whose storage (cgroup, volume, directories) is still being removed; a stop answers once
    /// the session's processes are gone.
    public var removalsInProgress: Int?

    /// One GPU of the host.
    public struct GPU: Codable, Sendable, Equatable {
        /// `nvidia` or `amd`.
        public var vendor: String
        /// Its index among the host's GPUs of its vendor, as sessions' `gpus` take it.
        public var index: Int
        /// "NVIDIA H100 80GB HBM3".
        public var model: String?
        public var uuid: String?
        /// PCI bus id ("0000:3b:00.0").
        public var busID: String?
        public init(vendor: String, index: Int, model: String?, uuid: String?, busID: String?) {
            self.vendor = vendor
            self.index = index
            self.model = model
            self.uuid = uuid
            self.busID = busID
        }
    }

    public init(
        version: String, apiVersion: String, pid: Int32, callerUID: UInt32, callerGID: UInt32, cgroups: String, gpus: Int, rootfs: String,
        gpuDevices: [GPU]? = nil, nvidiaDriver: String? = nil
    ) {
        self.version = version
        self.apiVersion = apiVersion
        self.pid = pid
        self.callerUID = callerUID
        self.callerGID = callerGID
        self.cgroups = cgroups
        self.gpus = gpus
        self.rootfs = rootfs
        self.gpuDevices = gpuDevices
        self.nvidiaDriver = nvidiaDriver
    }
}
