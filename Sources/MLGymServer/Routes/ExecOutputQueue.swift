import NIOCore
import Synchronization

/// A streamed exec's output between the shell's reader, which must never wait, and a client that may read slowly
/// or not at all: at most `limitBytes` are held; past that the oldest pieces are dropped and counted, so the
/// stream can say how much it left out. The daemon's memory per streamed exec stays under the limit whatever
/// the command prints.
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
    }

    let limitBytes: Int
    /// The most one batch holds, so one line of the stream stays small.
    let batchBytes: Int
    private let state = Mutex(State())

    init(limitBytes: Int = 4 << 20, batchBytes: Int = 256 << 10) {
        self.limitBytes = limitBytes
        self.batchBytes = batchBytes
    }

    /// Adds output (from the shell's reader thread); never blocks.
    func push(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.finished else { return nil }
            state.pending.append(bytes)
            state.pendingBytes += bytes.count
            while state.pendingBytes > limitBytes, state.pending.count > 1 {
                let oldest = state.pending.removeFirst()
                state.pendingBytes -= oldest.count
                state.dropped += oldest.count
            }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The bytes held now, waiting for the writer.
    var heldBytes: Int { state.withLock { $0.pendingBytes } }

    /// No more output will come; `next` returns what is left, then nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
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
            let taken: Batch?? = state.withLock { state in
                if !state.pending.isEmpty || state.dropped > 0 {
                    var batch = Batch(bytes: [], droppedBefore: state.dropped)
                    state.dropped = 0
                    while let first = state.pending.first, batch.bytes.isEmpty || batch.bytes.count + first.count <= batchBytes {
                        batch.bytes += state.pending.removeFirst()
                    }
                    state.pendingBytes -= batch.bytes.count
                    return .some(batch)
                }
                return state.finished ? .some(nil) : nil
            }
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
