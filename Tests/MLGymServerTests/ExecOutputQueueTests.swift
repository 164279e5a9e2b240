import Foundation
import MLGymSandbox
@testable import MLGymServer
import Testing

/// The buffer between a command's output and a streamed exec's client: bounded in bytes, and it says how much it
/// dropped.
struct ExecOutputQueueTests {
    /// Nobody reads while all of it is pushed, and nothing can hold the producer: the oldest output is dropped.
    @Test func aReaderThatFallsBehindAnUnheldProducerLosesTheOldestOutputAndIsToldHowMuch() async {
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

    /// The producer (a command behind the shell's terminal) is much faster than the reader here; the queue holds
    /// it instead of dropping, so a reader that keeps reading, however slowly, loses nothing. The producer honours
    /// the hold as a terminal that is not read would. The stall limit is far longer than the test: on a loaded
    /// two-core machine the other suites can keep this reader's task off the cooperative pool for half a minute,
    /// which is a stall, not slow reading.
    @Test func aSlowReaderThatKeepsReadingLosesNothingAndTheQueueStaysBounded() async {
        let flow = OutputFlow()
        let queue = ExecOutputQueue(limitBytes: 1000, batchBytes: 100, stallLimit: .seconds(3600), flow: flow)
        let producer = Thread {
            for index in 0..<500 {
                while flow.isHeld { usleep(100) }
                queue.push([UInt8](repeating: UInt8(index % 251), count: 20))
            }
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

    /// A reader that takes nothing does not hold the command for ever: after the stall limit the output flows
    /// again and the oldest is dropped, and the reader is told how much.
    @Test func aStalledReaderReleasesTheHoldAndLosesTheOldestOutput() async throws {
        let flow = OutputFlow()
        let queue = ExecOutputQueue(limitBytes: 1000, batchBytes: 300, stallLimit: .milliseconds(20), flow: flow)
        for index in 0..<11 { queue.push([UInt8](repeating: UInt8(index), count: 100)) }
        #expect(flow.isHeld, "1100 bytes pending over a 1000-byte limit")
        // Waits for the stall limit to pass (a bound, not a timing assertion: on a busy host it may take longer).
        for _ in 0..<3000 where flow.isHeld { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!flow.isHeld, "the hold was never released")
        for index in 11..<20 { queue.push([UInt8](repeating: UInt8(index), count: 100)) }
        queue.finish()
        var batches: [ExecOutputQueue.Batch] = []
        while let batch = await queue.next() { batches.append(batch) }
        #expect(batches.first?.droppedBefore == 1000)
        let kept = batches.flatMap(\.bytes)
        #expect(kept.count == 1000)
        #expect(kept.first == 10 && kept.last == 19)
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
