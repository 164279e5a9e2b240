/// How the daemon finds a session's sandbox again after it restarts: the pid of its init process, and that
/// process's start time (field 22 of /proc/PID/stat, in clock ticks) so that a reused pid is not mistaken for it.
public struct InitProcess: Sendable, Equatable, Codable {
    public var pid: Int32
    public var startTime: UInt64?

    public init(pid: Int32, startTime: UInt64?) {
        self.pid = pid
        self.startTime = startTime
    }
}
