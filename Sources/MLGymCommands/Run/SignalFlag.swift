import Dispatch
import Foundation
import Glibc

/// A signal caught rather than obeyed at once (Ctrl-C, Slurm's SIGTERM), so that runs are stopped in mlgymd
/// first instead of this process dying with them half-recorded.
final class SignalFlag: @unchecked Sendable {
    private let source: any DispatchSourceSignal
    private let lock = NSLock()
    private var raised = false

    /// - Parameters:
    ///   - number: the signal (SIGINT by default).
    ///   - exitOnSecond: a second one while the stops are on their way leaves at once, with 128 + the signal
    ///     (the runs still end in mlgymd).
    ///   - onFirst: runs on the signal's queue at the first one (after the flag is set).
    init(_ number: Int32 = SIGINT, exitOnSecond: Bool = true, onFirst: @escaping @Sendable () -> Void = {}) {
        signal(number, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: number)
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock()
            let second = self.raised
            self.raised = true
            self.lock.unlock()
            if second {
                if exitOnSecond { Glibc.exit(128 + number) }
                return
            }
            onFirst()
        }
        source.resume()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    deinit { source.cancel() }
}
