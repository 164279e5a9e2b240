import Glibc
import MLGymToolSupport

/// Reads a streamed exec answer (`application/x-ndjson`): one JSON object per line, `output` written to standard
/// output as it arrives, `dropped` marked where the gap is, then `exit` or `error`.
struct ExecStreamReader {
    /// The answer's first bytes, for the message of an answer that is not a stream (an HTTP error).
    private(set) var head: [UInt8] = []
    private(set) var result: JSONValue?
    private(set) var failure: String?
    private(set) var droppedBytes = 0
    private var pending: [UInt8] = []
    /// How much of `pending` is known to hold no newline, so a long line is scanned once, not once per read.
    private var scanned = 0

    mutating func receive(_ bytes: ArraySlice<UInt8>) {
        if head.count < 65536 { head.append(contentsOf: bytes.prefix(65536 - head.count)) }
        pending.append(contentsOf: bytes)
        var lineStart = 0
        while let newline = pending[max(lineStart, scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
            handle(pending[lineStart..<newline])
            lineStart = newline + 1
        }
        pending.removeSubrange(0..<lineStart)
        scanned = pending.count
    }

    private mutating func handle(_ line: ArraySlice<UInt8>) {
        guard let value = try? JSONParser.parse(Array(line)) else { return }
        if let text = value["output"]?.stringValue {
            FileIO.print(text)
        } else if let dropped = value["dropped"]?.intValue {
            // In the output too, where the gap is: a reader of a saved log must see it was cut there.
            FileIO.print("\n[... \(dropped) bytes dropped by mlgymd: this client read too slowly ...]\n")
            droppedBytes += dropped
        } else if let exit = value["exit"] {
            result = exit
        } else if let message = value["error"]?["message"]?.stringValue {
            failure = message
        }
    }
}
