import MLGymCore

/// Which GPUs a sandbox gets, as a person writes it after `--gpus` or in a task file.
///
/// `none` is the default and needs no GPU on the host. `all` means every GPU discovery found. A list names GPUs
/// by index, UUID, bus id or MIG device (see `GPUDeviceID`); entries are checked against the host only when
/// `GPUPassthrough.plan` runs, so a selection can be parsed and stored on a machine without GPUs.
/// It encodes as the same one-line string it parses from (`"none"`, `"all"`, `"0,GPU-…"`).
public enum GPUSelection: Sendable, Codable, Equatable, CustomStringConvertible {
    case none
    case all
    /// The entries as written (trimmed, duplicates dropped, order kept); each parses as a `GPUDeviceID`.
    case devices([String])

    /// Parses `none`, `all` or a comma-separated list such as `0,1`, `GPU-8d6b…` or `0:1:0`.
    public init(parsing text: String) throws(MLGymError) {
        let trimmed = text.trimmingSpaces
        switch trimmed.lowercased() {
        case "none": self = .none
        case "all": self = .all
        case "":
            throw MLGymError(.invalidArgument, "--gpus is empty: use none, all, or a list such as 0,1")
        default:
            var entries: [String] = []
            for piece in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
                let entry = piece.trimmingSpaces
                guard !entry.isEmpty else {
                    throw MLGymError(.invalidArgument, "--gpus '\(trimmed)' has an empty entry: write a list such as 0,1")
                }
                if ["none", "all"].contains(entry.lowercased()) {
                    throw MLGymError(.invalidArgument, "--gpus '\(trimmed)': '\(entry)' cannot be part of a list; use it alone")
                }
                do {
                    _ = try GPUDeviceID(parsing: entry)
                } catch {
                    throw MLGymError(.invalidArgument, "--gpus '\(trimmed)': \(error.message)")
                }
                if !entries.contains(entry) { entries.append(entry) }
            }
            self = .devices(entries)
        }
    }

    /// The entries parsed; `[]` for `none` and `all`.
    public func deviceIDs() throws(MLGymError) -> [GPUDeviceID] {
        guard case .devices(let entries) = self else { return [] }
        var ids: [GPUDeviceID] = []
        for entry in entries { ids.append(try GPUDeviceID(parsing: entry)) }
        return ids
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .all: "all"
        case .devices(let entries): entries.isEmpty ? "none" : entries.joined(separator: ",")
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try GPUSelection(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
