import Foundation
import MLGymAPI
import MLGymCore

/// How the session verbs print: pretty JSON for `--json`, aligned tables, short ages.
enum Output {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = WireCoding.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Prints text that others control (an agent's output, a member's session name, a campaign's name) with
    /// control and format characters shown as visible escapes (see `TerminalText`), unless `raw`.
    static func show(_ text: String, raw: Bool = false) {
        print(raw ? text : TerminalText.escaped(text))
    }

    /// Columns padded to their widest cell, separated by three spaces (as docker ps prints).
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "   ")
        }.joined(separator: "\n")
    }

    /// "5 seconds ago", "3 minutes ago", "2 hours ago", "4 days ago".
    static func age(of date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        let (value, unit) = seconds < 60 ? (seconds, "second") : seconds < 3600 ? (seconds / 60, "minute")
            : seconds < 86400 ? (seconds / 3600, "hour") : (seconds / 86400, "day")
        return "\(value) \(unit)\(value == 1 ? "" : "s") ago"
    }

    static func bytes(_ value: UInt64?) -> String {
        guard let value else { return "-" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", amount, units[unit])
    }
}
