import MLGymCore

/// Something that happened to a sandbox, reported to whoever owns it (the daemon records these as session events).
public enum SandboxEvent: Sendable, Equatable {
    /// The kernel OOM-killed a process of the sandbox; the counters are the cgroup's at that moment.
    case outOfMemory(CgroupStats)
    /// The sandbox ran past its wall-time limit and was stopped.
    case wallTimeExceeded(seconds: Double)
    /// mlgym-init ended without being asked to (the whole sandbox is gone).
    case initExited
    /// The sandbox was stopped.
    case stopped
}
