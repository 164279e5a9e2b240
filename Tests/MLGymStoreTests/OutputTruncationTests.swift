import Foundation
import MLGymStore
import Testing

/// Head-and-tail truncation of command output.
@Suite struct OutputTruncationTests {
    @Test func outputWithinTheLimitIsUnchanged() {
        let result = OutputTruncation.truncate("short\n", limitBytes: 6)
        #expect(result == TruncatedOutput(text: "short\n", droppedBytes: 0))
    }

    @Test func longOutputKeepsHeadAndTailAndSaysHowManyBytesWereDropped() {
        let output = "BEGIN:" + String(repeating: "x", count: 1000) + ":END"
        let result = OutputTruncation.truncate(output, limitBytes: 100)
        #expect(result.droppedBytes == output.utf8.count - 100)
        #expect(result.text.hasPrefix("BEGIN:" + String(repeating: "x", count: 44)))
        #expect(result.text.hasSuffix(String(repeating: "x", count: 46) + ":END"))
        #expect(result.text.contains("\n[... \(output.utf8.count - 100) bytes dropped by mlgym ...]\n"))
        #expect(result.text.utf8.count == 100 + OutputTruncation.marker(droppedBytes: result.droppedBytes).utf8.count)
    }

    @Test func cutsNeverSplitAMultibyteCharacter() {
        let output = String(repeating: "é€😀", count: 50)  // 2 + 3 + 4 bytes per group
        for limit in [1, 2, 3, 7, 10, 31, 100] {
            let result = OutputTruncation.truncate(output, limitBytes: limit)
            let marker = OutputTruncation.marker(droppedBytes: result.droppedBytes)
            let parts = result.text.components(separatedBy: marker)
            #expect(parts.count == 2)
            #expect(!result.text.contains("\u{FFFD}"))
            #expect(parts[0].utf8.count + parts[1].utf8.count + result.droppedBytes == output.utf8.count)
            #expect(parts[0].utf8.count + parts[1].utf8.count <= limit)
            #expect(output.hasPrefix(parts[0]) && output.hasSuffix(parts[1]))
        }
    }

    @Test func zeroLimitKeepsOnlyTheMarker() {
        let result = OutputTruncation.truncate("abc", limitBytes: 0)
        #expect(result == TruncatedOutput(text: "\n[... 3 bytes dropped by mlgym ...]\n", droppedBytes: 3))
    }
}
