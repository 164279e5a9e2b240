import Foundation

/// Blocking work on the host (cgroup directories, file copies, a /proc scan) on a small fixed set of threads,
/// so neither an actor nor the cooperative pool waits for a file system, and a burst of sessions does not
/// become a burst of threads.
public enum HostWork {
    /// At most this many pieces of host work run at once; the rest wait their turn.
    public static let threads = 4

    private static let queue: OperationQueue = {
        let queue = OperationQueue()
        queue.name = "mlgym-host-work"
        queue.maxConcurrentOperationCount = threads
        return queue
    }()

    /// Runs `body` on one of the host-work threads and returns its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.addOperation { continuation.resume(returning: body()) }
        }
    }
}
