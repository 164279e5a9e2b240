import Foundation
import Synchronization

/// Blocking work on the host (cgroup directories, unmounting and deleting volumes, a /proc scan) on four threads
/// of its own, so that neither an actor nor the cooperative pool waits for a file system, and a burst of sessions
/// does not become a burst of threads.
///
/// Plain threads, not a dispatch queue: libdispatch on Linux gives its queues a pool about as wide as the CPUs
/// and adds threads only slowly when they block, so blocking work there held up everything else dispatched (the
/// store's reads among it: fifty stops at once took their answers in bursts 20 ms apart).
public enum HostWork {
    /// At most this many pieces of host work run at once; the rest wait their turn.
    public static let threads = 4

    private static let pool = HostWorkPool(threads: threads)

    /// Runs `body` on one of the host-work threads and returns its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            pool.submit { continuation.resume(returning: body()) }
        }
    }
}

/// Threads that take jobs in the order they were submitted.
private final class HostWorkPool: Sendable {
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    /// Counts the jobs waiting; each thread sleeps on it while there are none.
    private let waiting = DispatchSemaphore(value: 0)

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in
                while true {
                    waiting.wait()
                    let job = jobs.withLock { $0.removeFirst() }
                    job()
                }
            }
            thread.name = "mlgym-host-work-\(index)"
            thread.start()
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        waiting.signal()
    }
}
