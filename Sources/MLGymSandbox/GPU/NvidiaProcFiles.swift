/// The host's `/proc/driver/nvidia` files that the sandbox's own view of that directory is made from.
public struct NvidiaProcFiles: Sendable, Hashable {
    /// `/proc/driver/nvidia` on the host (under the discovery's proc root).
    public var directory: String
    /// `params`: driver parameters; copied with `ModifyDeviceFiles` set to 0.
    public var params: String?
    /// `version`: the NVRM and GCC version lines.
    public var version: String?
    /// `registry`: registry keys set at module load.
    public var registry: String?

    public init(directory: String, params: String?, version: String?, registry: String?) {
        self.directory = directory
        self.params = params
        self.version = version
        self.registry = registry
    }

    /// The driver version in the NVRM line: the first token shaped like `550.54.15` (the line reads
    /// `NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar …` or
    /// `NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.15  Release Build …`).
    public static func driverVersion(fromVersionFile text: String) -> String? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("NVRM version:") }) else { return nil }
        for token in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) { return String(token) }
        }
        return nil
    }
}
