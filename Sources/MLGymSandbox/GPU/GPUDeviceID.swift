import MLGymCore

/// One entry of a `--gpus` list, parsed: which forms a person may use to name a GPU or a MIG device.
///
/// Parsing checks only the form; whether the GPU exists is decided against a `GPUInventory` when planning.
public enum GPUDeviceID: Sendable, Hashable, CustomStringConvertible {
    /// `0`: the host's GPU at this index (NVIDIA by minor order; AMD by render-node order).
    case index(Int)
    /// `nvidia:0` or `amd:0`: an index of one vendor's GPUs, for hosts that have both.
    case vendorIndex(GPUVendor, Int)
    /// `GPU-8d6b…`: an NVIDIA GPU by UUID, as `nvidia-smi -L` prints it.
    case uuid(String)
    /// `0000:3b:00.0`: a GPU by PCI bus id (domain optional).
    case busID(String)
    /// `0:1:0`: MIG compute instance 0 of GPU instance 1 on NVIDIA GPU 0.
    case migIndex(gpu: Int, gpuInstance: Int, computeInstance: Int)
    /// `MIG-GPU-8d6b…/1/0`: the same, naming the parent GPU by UUID (the form CUDA 11.0–11.3 used).
    case migOfUUID(gpuUUID: String, gpuInstance: Int, computeInstance: Int)
    /// `MIG-5c8f…`: a MIG device UUID. The kernel driver does not publish these in /proc, so planning rejects
    /// it with a hint to use one of the two forms above.
    case migUUID(String)

    public init(parsing rawText: String) throws(MLGymError) {
        let text = rawText.trimmingSpaces
        let lower = text.lowercased()
        if let index = Self.number(text) {
            self = .index(index)
        } else if lower.hasPrefix("nvidia:"), let index = Self.number(String(text.dropFirst(7))) {
            self = .vendorIndex(.nvidia, index)
        } else if lower.hasPrefix("amd:"), let index = Self.number(String(text.dropFirst(4))) {
            self = .vendorIndex(.amd, index)
        } else if lower.hasPrefix("gpu-"), Self.isUUIDBody(text.dropFirst(4)) {
            self = .uuid(text)
        } else if lower.hasPrefix("mig-gpu-") {
            let parts = text.dropFirst(4).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, Self.isUUIDBody(parts[0].dropFirst(4)),
                let gpuInstance = Self.number(String(parts[1])), let computeInstance = Self.number(String(parts[2]))
            else { throw Self.unparsable(rawText) }
            self = .migOfUUID(gpuUUID: String(parts[0]), gpuInstance: gpuInstance, computeInstance: computeInstance)
        } else if lower.hasPrefix("mig-"), Self.isUUIDBody(text.dropFirst(4)) {
            self = .migUUID(text)
        } else if text.contains(":") {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 3, let gpu = Self.number(parts[0]), let gi = Self.number(parts[1]), let ci = Self.number(parts[2]) {
                self = .migIndex(gpu: gpu, gpuInstance: gi, computeInstance: ci)
            } else if let busID = Self.normalizedBusID(text) {
                self = .busID(busID)
            } else {
                throw Self.unparsable(rawText)
            }
        } else {
            throw Self.unparsable(rawText)
        }
    }

    public var description: String {
        switch self {
        case .index(let index): "\(index)"
        case .vendorIndex(let vendor, let index): "\(vendor.rawValue):\(index)"
        case .uuid(let uuid): uuid
        case .busID(let busID): busID
        case .migIndex(let gpu, let gi, let ci): "\(gpu):\(gi):\(ci)"
        case .migOfUUID(let uuid, let gi, let ci): "MIG-\(uuid)/\(gi)/\(ci)"
        case .migUUID(let uuid): uuid
        }
    }

    /// A PCI bus id in the form `/proc/driver/nvidia/gpus` and sysfs use: lower case, four-digit domain
    /// (`nvidia-smi` prints an eight-digit domain, `00000000:3B:00.0`).
    static func normalizedBusID(_ text: String) -> String? {
        var parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 2 { parts.insert("0000", at: 0) }
        guard parts.count == 3 else { return nil }
        let functionParts = parts[2].split(separator: ".", omittingEmptySubsequences: false)
        let hex = Set("0123456789abcdef")
        guard functionParts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy(hex.contains),
            parts[1].count == 2, parts[1].allSatisfy(hex.contains),
            functionParts[0].count == 2, functionParts[0].allSatisfy(hex.contains),
            functionParts[1].count == 1, functionParts[1].allSatisfy(hex.contains)
        else { return nil }
        var domain = parts[0]
        if domain.count > 4 {
            guard domain.dropLast(4).allSatisfy({ $0 == "0" }) else { return nil }
            domain = String(domain.suffix(4))
        }
        domain = String(repeating: "0", count: 4 - domain.count) + domain
        return "\(domain):\(parts[1]):\(parts[2])"
    }

    private static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 6, text.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(text)
    }

    private static func isUUIDBody(_ text: Substring) -> Bool {
        text.count >= 8 && text.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    private static func unparsable(_ text: String) -> MLGymError {
        MLGymError(
            .invalidArgument,
            "cannot read GPU '\(text)': name a GPU by index (0), vendor index (nvidia:0, amd:0), UUID (GPU-…), "
                + "PCI bus id (0000:3b:00.0), or a MIG device as <gpu>:<gi>:<ci> or MIG-GPU-<uuid>/<gi>/<ci>"
        )
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines (FoundationEssentials-free).
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
