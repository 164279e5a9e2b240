import Foundation
import Glibc
import CSandbox
import MLGymCore

/// Helpers that turn a failed system call into an `MLGymError` that says what failed, on what, and why.
enum SystemCall {
    /// The symbolic name of an errno value (`EBUSY`), for messages that people search for; `errno N` for a value
    /// the C library has no name for.
    static func errnoName(_ code: Int32) -> String {
        mlg_errno_name(code).map { String(cString: $0) } ?? "errno \(code)"
    }

    /// "what: ENAME (strerror)", carrying the errno; permission errors get their own code.
    static func error(_ what: String, errno code: Int32, hint: String? = nil) -> MLGymError {
        let reason = String(cString: strerror(code))
        let tail = hint.map { "; \($0)" } ?? ""
        let kind: MLGymError.Code = (code == EPERM || code == EACCES) ? .permissionDenied : .system
        return MLGymError(kind, "\(what): \(errnoName(code)) (\(reason)\(tail))", errno: code)
    }

    /// Makes a pipe whose both ends close on exec.
    static func pipe() throws(MLGymError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw error("cannot create a pipe", errno: errno) }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }

    /// The start time of a process (field 22 of /proc/PID/stat), which with the pid identifies it across pid reuse.
    static func startTime(of pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, so start time (field 22) is index 19 here.
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    static func isAlive(pid: Int32, startTime: UInt64?) -> Bool {
        guard let now = self.startTime(of: pid) else { return false }
        return startTime == nil || startTime == now
    }
}
