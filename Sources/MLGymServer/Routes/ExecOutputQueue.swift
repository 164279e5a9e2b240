import NIOCore
import MLGymSandbox
import Synchronization

/// A streamed exec's output between the shell's reader and a client that may read slowly or not at all.
///
/// Flow control first: when `limitBytes` are waiting, the queue holds the command's output (`OutputFlow`: the
/// shell's terminal is then not read, and the command waits on its writes as it would at a slow terminal) until
/// the client has taken half of it: a client that keeps reading, at any speed, gets every byte, and the daemon
/// holds at most the limit. The producer, the event supervisor's thread that serves every sandbox, never waits. A
/// client that takes nothing for `stallLimit` (it hung, or reads a byte a minute) no longer holds the command up:
/// from then on the oldest output is dropped and counted, so the stream can say how much it left out, until the
/// client has caught up. Without a flow to hold, output beyond the limit is dropped at once.
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
        /// The output is held, waiting for the client to take half of what is pending.
        var holding = false
        /// Counts holds, so a stall timer of an earlier hold does nothing.
        var hold = 0
        /// The current hold's stall timer, cancelled when the hold ends (a cancelled sleep ends at once, so
        /// fast output with many short holds leaves no sleeping tasks behind).
        var stallTimer: Task<Void, Never>?
        /// The client stalled: output is dropped instead of held, until it catches up.
        var lossy = false
    }

    let limitBytes: Int
    /// The most one batch holds, so one line of the stream stays small.
    let batchBytes: Int
    /// How long the output is held for a client that takes nothing before it is dropped instead.
    let stallLimit: Duration
    private let flow: OutputFlow?
    private let state = Mutex(State())

    init(limitBytes: Int = 4 << 20, batchBytes: Int = 256 << 10, stallLimit: Duration = .seconds(2), flow: OutputFlow? = nil) {
        self.limitBytes = limitBytes
        self.batchBytes = batchBytes
        self.stallLimit = stallLimit
        self.flow = flow
    }

    /// Adds output (on the event supervisor's thread; never waits). Past the limit, holds the output, or drops
    /// the oldest when the client stalled or nothing can be held.
    func push(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let (waiter, startHold) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Int?) in
            guard !state.finished else { return (nil, nil) }
            state.pending.append(bytes)
            state.pendingBytes += bytes.count
            var startHold: Int?
            if state.pendingBytes > limitBytes {
                if state.lossy || flow == nil {
                    Self.dropOldest(&state, above: limitBytes)
                } else if !state.holding {
                    state.holding = true
                    state.hold += 1
                    startHold = state.hold
                }
            }
            defer { state.waiter = nil }
            return (state.waiter, startHold)
        }
        waiter?.resume()
        if let hold = startHold {
            flow?.hold(true)
            let stallLimit = stallLimit
            let timer = Task { [weak self] in
                // A deadline, not a poll: the hold's end cancels it.
                guard (try? await Task.sleep(for: stallLimit)) != nil else { return }
                self?.stalled(hold: hold)
            }
            let current = state.withLock { state -> Bool in
                guard state.holding, state.hold == hold else { return false }
                state.stallTimer = timer
                return true
            }
            if !current { timer.cancel() }
        }
    }

    /// The client took nothing for `stallLimit` while the output was held: drop instead of holding.
    private func stalled(hold: Int) {
        let release = state.withLock { state -> Bool in
            guard state.holding, state.hold == hold else { return false }
            state.holding = false
            state.stallTimer = nil
            state.lossy = true
            Self.dropOldest(&state, above: limitBytes)
            return true
        }
        if release { flow?.hold(false) }
    }

    private static func dropOldest(_ state: inout State, above limit: Int) {
        while state.pendingBytes > limit, state.pending.count > 1 {
            let oldest = state.pending.removeFirst()
            state.pendingBytes -= oldest.count
            state.dropped += oldest.count
        }
    }

    /// The bytes held now, waiting for the writer.
    var heldBytes: Int { state.withLock { $0.pendingBytes } }

    /// No more output will come; `next` returns what is left, then nil.
    func finish() {
        let (waiter, release) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool) in
            state.finished = true
            let release = state.holding
            state.holding = false
            state.stallTimer?.cancel()
            state.stallTimer = nil
            defer { state.waiter = nil }
            return (state.waiter, release)
        }
        if release { flow?.hold(false) }
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
                        // Caught up: the output flows again, and is held again the next time the queue fills.
                        state.lossy = false
                        release = state.holding
                        state.holding = false
                        state.stallTimer?.cancel()
                        state.stallTimer = nil
                    }
                    return (.some(batch), release)
                }
                return (state.finished ? .some(nil) : nil, false)
            }
            if release { flow?.hold(false) }
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
