import Dispatch
import Foundation
import Glibc
import MLGymCore
import Synchronization

/// Disk images formatted ahead of the sessions that will need them, so that making a session's volume costs a
/// rename and a mount instead of an mkfs.ext4 as well (about 11 ms of a session start, and a process fork).
///
/// An image in the pool was made fresh and has never been mounted; one taken is gone from the pool for good
/// (a volume is never returned), so nothing of one session can reach another. Images are made one at a time on
/// a utility queue, not on the caller's thread: the pool keeps `depth` images of the size asked for last.
public final class VolumeImagePool: Sendable {
    /// The pool's directory inside the engine's state directory; not a sandbox's state.
    public static let directoryName = ".volume-pool"

    public let directory: String
    public let depth: Int
    private let queue = DispatchQueue(label: "mlgym.volume-pool", qos: .utility)
    private let state = Mutex(State())

    private struct State {
        var ready: [String] = []
        var size: UInt64?
        var making = false
        var stopped = false
    }

    /// Starts empty: whatever an earlier daemon left in `directory` is removed (it may be half made).
    public init(stateDirectory: String, depth: Int = 4) {
        directory = stateDirectory + "/" + Self.directoryName
        self.depth = depth
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Keeps `depth` images of `sizeBytes` ready from now on (the size sessions get by default).
    public func prepare(sizeBytes: UInt64) {
        let start = state.withLock { state -> Bool in
            Self.turn(&state, to: sizeBytes)
            return Self.claimRefill(&state)
        }
        if start { queue.async { self.refill() } }
    }

    /// Moves a ready image of `sizeBytes` to `path` (same file system: rename(2)); false when there is none of
    /// that size, and the caller makes its own. Asks for a refill either way.
    public func take(sizeBytes: UInt64, to path: String) -> Bool {
        let (image, start) = state.withLock { state -> (String?, Bool) in
            Self.turn(&state, to: sizeBytes)
            return (state.ready.popLast(), Self.claimRefill(&state))
        }
        if start { queue.async { self.refill() } }
        guard let image else { return false }
        if rename(image, path) == 0 { return true }
        unlink(image)
        return false
    }

    /// Images ready now (for tests and logs).
    public var readyImages: [String] { state.withLock { $0.ready } }

    /// Stops making images and removes the ready ones.
    public func stop() {
        let ready = state.withLock { state -> [String] in
            state.stopped = true
            defer { state.ready = [] }
            return state.ready
        }
        ready.forEach { unlink($0) }
    }

    /// Keeps images of `sizeBytes` from now on; images of another size are deleted.
    private static func turn(_ state: inout State, to sizeBytes: UInt64) {
        guard state.size != sizeBytes else { return }
        state.ready.forEach { unlink($0) }
        state.ready = []
        state.size = sizeBytes
    }

    private static func claimRefill(_ state: inout State) -> Bool {
        guard !state.making, !state.stopped, state.size != nil else { return false }
        state.making = true
        return true
    }

    /// Makes images until `depth` of the wanted size are ready (on `queue`).
    private func refill() {
        while true {
            let size = state.withLock { state -> UInt64? in
                guard !state.stopped, let size = state.size, state.ready.count < depth else {
                    state.making = false
                    return nil
                }
                return size
            }
            guard let size else { return }
            let image = directory + "/" + UUID().uuidString.lowercased() + ".img"
            do {
                try DiskVolume.format(imagePath: image, sizeBytes: size)
            } catch {
                unlink(image)
                state.withLock { $0.making = false }
                return
            }
            let kept = state.withLock { state -> Bool in
                guard !state.stopped, state.size == size else { return false }
                state.ready.append(image)
                return true
            }
            if !kept { unlink(image) }
        }
    }
}
