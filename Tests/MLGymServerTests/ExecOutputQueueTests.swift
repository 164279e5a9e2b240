@testable import MLGymServer
import Testing

/// The buffer between a command's output and a streamed exec's client: bounded in bytes, and it says how much it
/// dropped.
struct ExecOutputQueueTests {
    @Test func aSlowReaderLosesTheOldestOutputAndIsToldHowMuch() async {
        let queue = ExecOutputQueue(limitBytes: 1000, batchBytes: 300)
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

    @Test func aReaderThatKeepsUpLosesNothing() async {
        let queue = ExecOutputQueue(limitBytes: 1000)
        let reader = Task { () -> Int in
            var total = 0
            while let batch = await queue.next() {
                #expect(batch.droppedBefore == 0)
                total += batch.bytes.count
            }
            return total
        }
        for _ in 0..<200 {
            queue.push([UInt8](repeating: 1, count: 10))
            await Task.yield()
            while queue.heldBytes > 500 { await Task.yield() }
        }
        queue.finish()
        #expect(await reader.value == 2000)
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
