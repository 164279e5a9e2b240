import Synchronization

/// A consumer's say over a running command's output (`PersistentShell.run(…, flow:)`): while it holds the output,
/// the shell's terminal is not read, so the command waits on its writes as it would at a slow terminal, and
/// nothing piles up in the daemon. Held on one command's behalf only: the shell lets go when the command ends.
public final class OutputFlow: Sendable {
    private struct State {
        var held = false
        var control: (@Sendable (Bool) -> Void)?
    }
    private let state = Mutex(State())

    public init() {}

    /// Holds the output (`true`) or lets it flow again.
    public func hold(_ held: Bool) {
        let control = state.withLock { state -> (@Sendable (Bool) -> Void)? in
            guard state.held != held else { return nil }
            state.held = held
            return state.control
        }
        control?(held)
    }

    public var isHeld: Bool { state.withLock { $0.held } }

    /// The shell connects while its command runs; a hold made before takes effect now.
    func connect(_ control: @escaping @Sendable (Bool) -> Void) {
        let held = state.withLock { state in
            state.control = control
            return state.held
        }
        if held { control(true) }
    }

    /// The command has ended: holds no longer reach the shell.
    func disconnect() {
        state.withLock { $0.control = nil }
    }
}
