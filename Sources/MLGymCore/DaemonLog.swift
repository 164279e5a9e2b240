import Foundation
import Glibc

/// The daemon's log (mlgymd and the services it hosts): one line per event on stderr. Under systemd
/// (JOURNAL_STREAM set) each line starts with a syslog priority (`<6>`), which journald turns into the entry's
/// priority; elsewhere lines carry a timestamp.
public enum DaemonLog {
    private static let journal = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil

    public static func info(_ message: String) { write(priority: 6, label: "info", message) }
    public static func warning(_ message: String) { write(priority: 4, label: "warning", message) }
    public static func error(_ message: String) { write(priority: 3, label: "error", message) }

    private static func write(priority: Int, label: String, _ message: String) {
        let oneLine = message.replacingOccurrences(of: "\n", with: " ")
        let line = journal
            ? "<\(priority)>\(oneLine)\n"
            : "\(Date().formatted(.iso8601)) mlgymd[\(getpid())] \(label): \(oneLine)\n"
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
