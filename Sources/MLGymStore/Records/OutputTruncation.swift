/// Keeps the head and the tail of a command's output within a byte budget, with a marker that says how much was
/// cut: the start shows what the command did, the end shows how it finished (the error, the final metric).
///
/// Pure; the store applies it to every exec it records, and the daemon may reuse it for observations.
public enum OutputTruncation {
    /// The text that replaces the dropped middle. Starts and ends with a newline so it never glues onto a line.
    public static func marker(droppedBytes: Int) -> String {
        "\n[... \(droppedBytes) bytes dropped by mlgym ...]\n"
    }

    /// Output kept within `limitBytes` bytes of the original (UTF-8), half from the head and half from the tail,
    /// cut at character boundaries, joined by `marker(droppedBytes:)`. The result may exceed the limit by the
    /// marker's length. Output within the limit is returned unchanged.
    public static func truncate(_ output: String, limitBytes: Int) -> TruncatedOutput {
        let bytes = Array(output.utf8)
        let limit = max(0, limitBytes)
        guard bytes.count > limit else { return TruncatedOutput(text: output, droppedBytes: 0) }

        var headEnd = limit / 2
        while headEnd > 0, isContinuation(bytes[headEnd]) { headEnd -= 1 }
        var tailStart = bytes.count - (limit - limit / 2)
        while tailStart < bytes.count, isContinuation(bytes[tailStart]) { tailStart += 1 }

        let dropped = tailStart - headEnd
        let text =
            String(decoding: bytes[..<headEnd], as: UTF8.self) + marker(droppedBytes: dropped)
            + String(decoding: bytes[tailStart...], as: UTF8.self)
        return TruncatedOutput(text: text, droppedBytes: dropped)
    }

    /// A UTF-8 byte of the form 10xxxxxx continues a character; cutting before one would split it.
    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0b1100_0000 == 0b1000_0000 }
}

/// Output after `OutputTruncation.truncate`.
public struct TruncatedOutput: Sendable, Equatable {
    public var text: String
    /// 0 when nothing was cut.
    public var droppedBytes: Int

    public init(text: String, droppedBytes: Int) {
        self.text = text
        self.droppedBytes = droppedBytes
    }
}
