import Foundation

/// Runs a snapshot's file work (a capture, a fork's or a restore's writes) on a thread of its own: a tree of
/// gigabytes takes seconds, and on the four shared `HostWork` threads it would hold up every session start and
/// stop behind it. One thread per operation; a session has at most one at a time (`snapshotWork`).
enum SnapshotThread {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "mlgym-snapshot"
            thread.start()
        }
    }
}
