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
    public init(version: String, apiVersion: String, pid: Int32, callerUID: UInt32, callerGID: UInt32, cgroups: String, gpus: Int, rootfs: String) {
        self.version = version
        self.apiVersion = apiVersion
        self.pid = pid
        self.callerUID = callerUID
        self.callerGID = callerGID
        self.cgroups = cgroups
        self.gpus = gpus
        self.rootfs = rootfs
    }
}
