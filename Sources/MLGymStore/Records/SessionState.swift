/// Where a session is in its life, as the database records it.
///
/// The daemon commits a state before it acknowledges it to a client, so after a crash the stored state is the
/// truth to reconcile against: `creating` and `running` are the only states with a sandbox that may still exist.
public enum SessionState: String, Sendable, Codable, Hashable, CaseIterable {
    /// The row exists; the sandbox is being built. Committed first, so a crash mid-build leaves a trace.
    case creating
    /// The sandbox is up and its init process is recorded.
    case running
    /// Stopped on request; the sandbox is gone.
    case stopped
    /// The sandbox could not be built, or died on its own.
    case failed
    /// The daemon restarted and found the sandbox dead or unhealthy (or could not tell).
    case lost

    /// States that may still own a sandbox, and so count against a uid's session limit.
    public static let active: Set<SessionState> = [.creating, .running]

    /// Whether a session in this state may still own a sandbox.
    public var isActive: Bool { Self.active.contains(self) }

    /// The states reachable in one step. `stopped`, `failed` and `lost` are final: a session is never revived,
    /// because its sandbox is gone; a new session is started instead.
    public var successors: Set<SessionState> {
        switch self {
        case .creating: [.running, .stopped, .failed, .lost]
        case .running: [.stopped, .failed, .lost]
        case .stopped, .failed, .lost: []
        }
    }

    /// Whether moving from this state to `next` is allowed.
    public func canTransition(to next: SessionState) -> Bool { successors.contains(next) }
}
