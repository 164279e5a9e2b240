import CSandbox

/// How a process in a sandbox ended.
public enum ExitStatus: Sendable, Equatable, Codable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// Decodes a wait(2) status word.
    public init(waitStatus: Int32) {
        if mlg_wait_status_signaled(waitStatus) != 0 {
            self = .signaled(mlg_wait_status_signal(waitStatus))
        } else {
            self = .exited(mlg_wait_status_exit_code(waitStatus))
        }
    }

    /// The shell's convention: the exit code, or 128 + the signal.
    public var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited(\(code))"
        case .signaled(let signal): "signaled(\(signal))"
        }
    }
}
