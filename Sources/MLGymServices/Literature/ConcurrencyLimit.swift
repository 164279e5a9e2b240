import MLGymCore

/// At most `limit` jobs at once; the others wait their turn, in order. Each PDF is read in a sandbox of its own,
/// so without a limit a few callers could make mlgymd build dozens at once.
public actor ConcurrencyLimit {
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(_ limit: Int) {
        self.limit = max(1, limit)
    }

    public func run<T: Sendable>(_ job: @Sendable () async throws(MLGymError) -> T) async throws(MLGymError) -> T {
        if running >= limit {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            running += 1
        }
        defer {
            if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
        }
        return try await job()
    }
}
