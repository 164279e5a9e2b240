import Dispatch
import NIOCore
import Synchronization

/// A streamed exec's output between the shell's reader and a client that may read slowly or not at all.
///
/// Flow control first: when `limitBytes` are waiting, the reader (a thread of its own) waits for the client to
/// take half of them, and the command, whose terminal is then not read, waits on its writes as it would at a
/// slow terminal: a client that keeps reading, at any speed, gets every byte, and the daemon holds at most the
/// limit. A client that takes nothing for `stallLimit` (it hung, or reads a byte a minute) no longer holds the
/// command up: from then on the oldest output is dropped and counted, so the stream can say how much it left
/// out, until the client has caught up.
final class ExecOutputQueue: Sendable {
    /// What the writer takes at once: output, and how many bytes were dropped just before it.
    struct Batch: Sendable {
        var bytes: [UInt8]
        var droppedBefore: Int
    }

    private struct State {
        var pending = CircularBuffer<[UInt8]>()
        var pendingBytes = 0
        var dropped = 0
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
        /// The producer waits for room (`room` will be signalled).
        var producerWaiting = false
        /// The client stalled: output is dropped instead of waited for, until it catches up.
        var lossy = false
    }

    private enum Step { case done, wait }

    let limitBytes: Int
    /// The most one batch holds, so one line of the stream stays small.
    let batchBytes: Int
    /// How long the producer waits for a client that takes nothing before it drops output instead.
    let stallLimit: Duration
    private let state = Mutex(State())
    private let room = DispatchSemaphore(value: 0)

    init(limitBytes: Int = 4 << 20, batchBytes: Int = 256 << 10, stallLimit: Duration = .seconds(2)) {
        self.limitBytes = limitBytes
        self.batchBytes = batchBytes
        self.stallLimit = stallLimit
    }

    /// Adds output (on the shell's reader thread). While the queue is full and the client takes from it, waits
    /// for room, at most `stallLimit` at a time; after a stall, drops the oldest output instead.
    func push(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.finished else { return nil }
            state.pending.append(bytes)
            state.pendingBytes += bytes.count
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        while true {
            let step = state.withLock { state -> Step in
                guard !state.finished, state.pendingBytes > limitBytes else { return .done }
                guard !state.lossy else {
                    while state.pendingBytes > limitBytes, state.pending.count > 1 {
                        let oldest = state.pending.removeFirst()
                        state.pendingBytes -= oldest.count
                        state.dropped += oldest.count
                    }
                    return .done
                }
                state.producerWaiting = true
                return .wait
            }
            guard step == .wait else { return }
            let nanoseconds = stallLimit.components.seconds * 1_000_000_000 + stallLimit.components.attoseconds / 1_000_000_000
            if room.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .timedOut {
                state.withLock { state in
                    if state.producerWaiting {
                        state.producerWaiting = false
                        state.lossy = true
                    }
                }
            }
        }
    }

    /// The bytes held now, waiting for the writer.
    var heldBytes: Int { state.withLock { $0.pendingBytes } }

    /// No more output will come; `next` returns what is left, then nil.
    func finish() {
        let (waiter, release) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool) in
            state.finished = true
            let release = state.producerWaiting
            state.producerWaiting = false
            defer { state.waiter = nil }
            return (state.waiter, release)
        }
        if release { room.signal() }
        waiter?.resume()
    }

    /// Stops keeping output (the client has gone) and frees what is held.
    func discard() {
        state.withLock { state in
            state.pending.removeAll()
            state.pendingBytes = 0
        }
        finish()
    }

    /// The next batch, waiting for one; nil once finished and drained. One consumer at a time.
    func next() async -> Batch? {
        while true {
            let (taken, release) = state.withLock { state -> (Batch??, Bool) in
                if !state.pending.isEmpty || state.dropped > 0 {
                    var batch = Batch(bytes: [], droppedBefore: state.dropped)
                    state.dropped = 0
                    while let first = state.pending.first, batch.bytes.isEmpty || batch.bytes.count + first.count <= batchBytes {
                        batch.bytes += state.pending.removeFirst()
                    }
                    state.pendingBytes -= batch.bytes.count
                    var release = false
                    if state.pendingBytes <= limitBytes / 2 {
                        // Caught up: the producer goes on, and waits again the next time the queue fills.
                        state.lossy = false
                        release = state.producerWaiting
                        state.producerWaiting = false
                    }
                    return (.some(batch), release)
                }
                return (state.finished ? .some(nil) : nil, false)
            }
            if release { room.signal() }
            if let taken { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if !state.pending.isEmpty || state.dropped > 0 || state.finished { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}
