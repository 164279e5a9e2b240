import Foundation

/// Durations as people write them in a campaign file ("90m", "2h", "1d", "3600s", "3600") and as Slurm takes
/// them (`--time=D-HH:MM:SS`).
public enum DurationText {
    /// Seconds, or nil when `text` is not a number with an optional s, m, h or d suffix.
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last else { return nil }
        let factors: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let factor = factors[unit]
        guard let value = Double(factor == nil ? trimmed : String(trimmed.dropLast())), value.isFinite, value >= 0 else { return nil }
        return value * (factor ?? 1)
    }

    /// Slurm's `D-HH:MM:SS`, rounded up to whole minutes (what Slurm schedules by).
    public static func slurm(_ seconds: Double) -> String {
        let minutes = Int((seconds / 60).rounded(.up))
        let days = minutes / 1440
        let hours = (minutes % 1440) / 60
        let rest = minutes % 60
        let clock = String(format: "%02d:%02d:00", hours, rest)
        return days > 0 ? "\(days)-\(clock)" : clock
    }

    /// "45 s", "12 min", "3.5 h": for progress lines.
    public static func short(_ seconds: Double) -> String {
        if seconds < 90 { return String(format: "%.0f s", seconds) }
        if seconds < 5400 { return String(format: "%.0f min", seconds / 60) }
        return String(format: "%.1f h", seconds / 3600)
    }
}

extension Duration {
    /// The duration in milliseconds, fractions kept (for timings people read).
    public var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
