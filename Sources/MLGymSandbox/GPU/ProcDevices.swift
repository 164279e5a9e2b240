/// The character-device majors registered with the kernel, from `/proc/devices`.
///
/// NVIDIA's `nvidia-uvm` and `nvidia-caps`, and AMD's `kfd`, get a dynamic major at module load, so the only
/// way to know which node is which is to read this table.
public struct ProcDevices: Sendable, Equatable {
    /// Driver name → major, from the "Character devices:" section only.
    public var characterMajors: [String: UInt32]

    public init(characterMajors: [String: UInt32]) {
        self.characterMajors = characterMajors
    }

    /// Parses the text of `/proc/devices`.
    public init(parsing text: String) {
        var majors: [String: UInt32] = [:]
        var inCharacterSection = false
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingSpaces
            if trimmed.hasSuffix(":") {
                inCharacterSection = trimmed == "Character devices:"
                continue
            }
            guard inCharacterSection else { continue }
            let fields = trimmed.split(separator: " ", maxSplits: 1)
            guard fields.count == 2, let major = UInt32(fields[0]) else { continue }
            let name = fields[1].trimmingSpaces
            // A driver can register several names on one major; keep the first major a name appears with.
            if majors[name] == nil { majors[name] = major }
        }
        characterMajors = majors
    }

    public subscript(name: String) -> UInt32? { characterMajors[name] }
}
