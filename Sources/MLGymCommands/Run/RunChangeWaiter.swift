import Foundation
import MLGymAPI
import MLGymClient
import Synchronization

/// What `mlgymctl run` and `campaign run` wait on between two looks at their runs: a change of one of them
/// (mlgymd's `GET /v1/events`), or a signal. Changes that come while the caller is busy are coalesced into one
/// wake-up. When the daemon cannot be followed (an older mlgymd, a stream that broke), waiting falls back to half a
/// second, as the loops did before there were events.
final class RunChangeWaiter: Sendable {
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// Whether the follower thread is subscribed (a class, so the thread can share it).
    private final class Flag: Sendable {
        let value = Mutex(false)
    }
    private let following = Flag()
    private let ready = DispatchSemaphore(value: 0)

    /// Starts following `runs` (nil: all of the caller's) on a thread of its own, and waits up to two seconds for
    /// the subscription, so that the caller's first look at its runs misses no change.
    init(socketPath: String, runs: [String]?) {
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let wake = wake, following = following, ready = ready
        let thread = Thread {
            try? APIClient(socketPath: socketPath).followChanges(runs: runs) {
                following.value.withLock { $0 = true }
                ready.signal()
            } onEvent: { _, _ in
                wake.yield()
            }
            following.value.withLock { $0 = false }
            ready.signal()
            wake.yield()
        }
        thread.start()
        _ = ready.wait(timeout: .now() + 2)
    }

    /// Whether changes arrive as events (false: waiting is a half-second poll).
    var isFollowing: Bool { following.value.withLock { $0 } }

    /// Ends the current wait at once (a signal to act on).
    func wakeUp() { wake.yield() }

    /// Returns at the next change (or wake-up), or after half a second when not following.
    func next() async throws {
        guard isFollowing else {
            try await Task.sleep(for: .milliseconds(500))
            return
        }
        var iterator = wakeUps.makeAsyncIterator()
        _ = await iterator.next()
    }
}
