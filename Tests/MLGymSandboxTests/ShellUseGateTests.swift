@testable import MLGymSandbox
import MLGymCore
import Testing

/// The queue in front of a session's shell: callers wait for the shell without polling, take it in the order
/// they came, a cancelled caller leaves the queue without taking it, and a person at the terminal is refused.
@Suite struct ShellUseGateTests {
    @Test func waitersTakeTheShellInOrderAndACancelledOneLeaves() async throws {
        let gate = ShellUseGate()
        try await gate.acquire(for: .command)
        let order = Order()
        let first = Task { try await gate.acquire(for: .command); await order.add("first") }
        while gate.waiting < 1 { await Task.yield() }
        let cancelled = Task { try await gate.acquire(for: .command); await order.add("cancelled") }
        let second = Task { try await gate.acquire(for: .command); await order.add("second") }
        while gate.waiting < 3 { await Task.yield() }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(gate.waiting == 2, "the cancelled caller left the queue")
        gate.release()
        try await first.value
        #expect(await order.names == ["first"], "one release, one taker")
        gate.release()
        try await second.value
        #expect(await order.names == ["first", "second"])
        gate.release()
        #expect(gate.current == .idle)
    }

    @Test func aPersonAtTheTerminalIsNotWaitedFor() async throws {
        let gate = ShellUseGate()
        try await gate.acquire(for: .interactive)
        let refused = await #expect(throws: MLGymError.self) { try await gate.acquire(for: .command) }
        #expect(refused?.code == .invalidState)
        #expect(gate.transition(from: .interactive, to: .releasing))
        let waiter = Task { try await gate.acquire(for: .command) }
        while gate.waiting < 1 { await Task.yield() }
        gate.release()
        try await waiter.value
        #expect(gate.current == .command)
    }
}

private actor Order {
    var names: [String] = []
    func add(_ name: String) { names.append(name) }
}
