import Foundation
import MLGymCore

/// Reads the metrics an evaluation script printed: a JSON object of numbers on one line. Other lines (warnings,
/// progress bars, a library's banner) are skipped, which MLGym's parser did not do (a stray line there was an
/// `evaluation_format_error`); when several lines hold metrics, the last one wins.
public enum MetricsParser {
    public static func metrics(in output: String) throws(MLGymError) -> [String: Double] {
        for line in output.split(whereSeparator: \.isNewline).reversed() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("{"), text.hasSuffix("}"),
                  let object = try? JSONDecoder().decode([String: MaybeNumber].self, from: Data(text.utf8))
            else { continue }
            let metrics = object.compactMapValues(\.value)
            if !metrics.isEmpty { return metrics }
        }
        throw MLGymError(.parse, "the evaluation printed no metrics (a JSON object of numbers on one line); its output ended with:\n---\n\(tail(output))\n---")
    }

    /// The last lines of `output`, for error messages.
    public static func tail(_ output: String, lines: Int = 20, characters: Int = 4000) -> String {
        let kept = output.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
        return kept.count > characters ? "…" + String(kept.suffix(characters)) : kept
    }

    /// MLGym's observation style for a metrics dict (Python's repr: `{'Score': 1.02}`), keys sorted.
    public static func pythonRepr(_ metrics: [String: Double]) -> String {
        let items = metrics.keys.sorted().map { key -> String in
            let value = metrics[key] ?? .nan
            let number = value.isNaN ? "nan" : value.isInfinite ? (value > 0 ? "inf" : "-inf") : "\(value)"
            return "'\(key)': \(number)"
        }
        return "{" + items.joined(separator: ", ") + "}"
    }
}

/// A JSON value that is kept when it is a number (not a boolean, string or null).
private struct MaybeNumber: Decodable {
    let value: Double?
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if (try? container.decode(Bool.self)) != nil {
            value = nil
        } else {
            value = try? container.decode(Double.self)
        }
    }
}
