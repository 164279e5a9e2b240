import Foundation

/// A process's start time (field 22 of /proc/PID/stat, clock ticks since boot): with the pid, it names one
/// process for good, so a restarted daemon never mistakes a reused pid for a session's init.
enum ProcessStart {
    static func time(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ")", options: .backwards)
        else { return nil }
        // Fields after the command name start at field 3 (state); the start time is field 22.
        let fields = stat[afterName.upperBound...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}
