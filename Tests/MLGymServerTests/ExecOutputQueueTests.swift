import Foundation
@testable import MLGymServer
import Testing

/// The buffer between a command's output and a streamed exec's client: bounded in bytes, and it says how much it
/// dropped.
struct ExecOutputQueueTests {
    /// Nobody reads while all of it is pushed: after the stall limit the producer stops waiting and drops.
    @Test func aReaderThatStallsLosesTheOldestOutputAndIsToldHowMuch() async {
        let queue = ExecOutputQueue(limitBytes: 1000, batchBytes: 300, stallLimit: .milliseconds(50))
        for index in 0..<50 { queue.push([UInt8](repeating: UInt8(index), count: 100)) }
        queue.finish()
        var batches: [ExecOutputQueue.Batch] = []
        while let batch = await queue.next() { batches.append(batch) }
        #expect(batches.first?.droppedBefore == 4000)
        #expect(batches.dropFirst().allSatisfy { $0.droppedBefore == 0 })
        #expect(batches.allSatisfy { $0.bytes.count <= 300 })
        // What is left is the newest output, in order.
        let kept = batches.flatMap(\.bytes)
        #expect(kept.count == 1000)
        #expect(kept.first == 40 && kept.last == 49)
    }

    /// The producer (the shell's reader thread) is much faster than the reader here; it waits for room instead
    /// of dropping, so a reader that keeps reading, however slowly, loses nothing. The stall limit is far longer
    /// than the test: on a loaded two-core machine the other suites can keep this reader's task off the
    /// cooperative pool for half a minute, which is a stall, not slow reading.
    @Test func aSlowReaderThatKeepsReadingLosesNothingAndTheQueueStaysBounded() async {
        let queue = ExecOutputQueue(limitBytes: 1000, batchBytes: 100, stallLimit: .seconds(3600))
        let producer = Thread {
            for index in 0..<500 { queue.push([UInt8](repeating: UInt8(index % 251), count: 20)) }
            queue.finish()
        }
        producer.start()
        var total = 0, largestHeld = 0
        var inOrder = true
        while let batch = await queue.next() {
            #expect(batch.droppedBefore == 0)
            for (offset, byte) in batch.bytes.enumerated() where byte != UInt8(((total + offset) / 20) % 251) { inOrder = false }
            total += batch.bytes.count
            largestHeld = max(largestHeld, queue.heldBytes)
            try? await Task.sleep(for: .milliseconds(1))
        }
        #expect(total == 10_000)
        #expect(inOrder)
        #expect(largestHeld <= 1000 + 20)
    }

    @Test func aDiscardedQueueHoldsNothingAndEnds() async {
        let queue = ExecOutputQueue(limitBytes: 1000)
        queue.push([1, 2, 3])
        queue.discard()
        queue.push([4])
        #expect(queue.heldBytes == 0)
        #expect(await queue.next() == nil)
    }
}
