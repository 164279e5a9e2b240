/// Removes the shell's frames (`RS nonce-seq:status RS`) from a stream of terminal output that arrives in
/// arbitrary pieces, so a streamed exec or an attached terminal shows only what commands printed.
///
/// Bytes from an RS (0x1E) on are held back until they either complete a frame (dropped) or stop looking like one
/// (passed on). Pure; tested with every split of its input.
public struct ShellFrameFilter: Sendable {
    private let prefix: [UInt8]
    private var pending: [UInt8] = []

    /// `nonce` is the shell's; frames of every sequence number are removed.
    public init(nonce: String) {
        prefix = [0x1E] + Array(nonce.utf8) + [UInt8(ascii: "-")]
    }

    /// Feeds the next piece of output; returns what can be shown now.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var shown: [UInt8] = []
        var input = Array(bytes)
        while !input.isEmpty {
            var restart: [UInt8]?
            for (index, byte) in input.enumerated() {
                if pending.isEmpty {
                    if byte == 0x1E { pending = [byte] } else { shown.append(byte) }
                    continue
                }
                pending.append(byte)
                switch classify(pending) {
                case .partial:
                    continue
                case .frame:
                    pending = []
                case .notFrame:
                    // The RS was ordinary output; what followed it may hold the start of a real frame.
                    shown.append(pending[0])
                    restart = Array(pending.dropFirst()) + input[(index + 1)...]
                    pending = []
                }
                if restart != nil { break }
            }
            input = restart ?? []
        }
        return shown
    }

    /// What is held back, for when the stream ends.
    public mutating func flush() -> [UInt8] {
        defer { pending = [] }
        return pending
    }

    private enum Match { case partial, frame, notFrame }

    /// `candidate` starts with RS; frames are RS nonce '-' digits ':' digits RS.
    private func classify(_ candidate: [UInt8]) -> Match {
        if candidate.count <= prefix.count {
            return candidate.elementsEqual(prefix.prefix(candidate.count)) ? .partial : .notFrame
        }
        guard candidate.starts(with: prefix) else { return .notFrame }
        let rest = candidate[prefix.count...]
        var sawColon = false
        var digitsAfterColon = 0
        var digitsBeforeColon = 0
        for byte in rest {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if sawColon { digitsAfterColon += 1 } else { digitsBeforeColon += 1 }
            case UInt8(ascii: ":") where !sawColon && digitsBeforeColon > 0:
                sawColon = true
            case 0x1E where sawColon && digitsAfterColon > 0:
                return byte == rest.last ? .frame : .notFrame
            default:
                return .notFrame
            }
            if digitsBeforeColon + digitsAfterColon > 24 { return .notFrame }
        }
        return .partial
    }
}
