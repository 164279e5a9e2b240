/// A host file or directory to bind read-only (nosuid, nodev) at a path inside the sandbox.
///
/// Used for the NVIDIA driver's libraries and binaries in a foreign root filesystem and for the selected
/// `/proc/driver/nvidia/gpus/<bus id>` directories.
public struct ReadOnlyBind: Sendable, Hashable, Codable, CustomStringConvertible {
    public var hostPath: String
    public var sandboxPath: String

    public init(hostPath: String, sandboxPath: String) {
        self.hostPath = hostPath
        self.sandboxPath = sandboxPath
    }

    public var description: String { "\(hostPath) -> \(sandboxPath)" }
}
