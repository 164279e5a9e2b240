/// One rule of a device allow-list: which device nodes a sandbox may open.
///
/// The same rules feed both mechanisms: v1's `devices.allow` lines and v2's BPF device program.
public struct DeviceRule: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable { case char = "c", block = "b" }

    public var kind: Kind
    public var major: UInt32
    /// nil means every minor of `major` (written `*`).
    public var minor: UInt32?
    /// Any of "r", "w", "m" (mknod). Sandboxes never get "m".
    public var access: String

    public init(_ kind: Kind, major: UInt32, minor: UInt32?, access: String = "rw") {
        self.kind = kind
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// The v1 `devices.allow` form: `c 195:0 rw`.
    public var description: String {
        "\(kind.rawValue) \(major):\(minor.map(String.init) ?? "*") \(access)"
    }

    /// The nodes every sandbox gets: null, zero, full, random, urandom, tty, ptmx and the pts slaves.
    public static let basic: [DeviceRule] = [
        DeviceRule(.char, major: 1, minor: 3), DeviceRule(.char, major: 1, minor: 5),
        DeviceRule(.char, major: 1, minor: 7), DeviceRule(.char, major: 1, minor: 8),
        DeviceRule(.char, major: 1, minor: 9), DeviceRule(.char, major: 5, minor: 0),
        DeviceRule(.char, major: 5, minor: 2), DeviceRule(.char, major: 136, minor: nil),
    ]
}
