import Foundation

/// How numbers look in every report, in one place so tables, plots and CSV agree.
enum NumberFormat {
    /// AUP and max τ: MLGym's 3 decimals ("1.150").
    static func aup(_ value: Double) -> String { String(format: "%.3f", value) }

    /// max log10 τ: one decimal by definition ("1.2").
    static func maxTau(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Raw task scores: up to 6 significant digits, as they appear in MLGym's tables ("0.00015625", "-215.776").
    static func score(_ value: Double) -> String { String(format: "%.6g", value) }

    /// Ratios and mean ranks: 2 decimals.
    static func twoDecimals(_ value: Double) -> String { String(format: "%.2f", value) }

    /// Means of counts, such as steps per run: one decimal ("23.5").
    static func meanCount(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Dollars per run ("$9.132").
    static func dollars(_ value: Double) -> String { String(format: "$%.3f", value) }

    /// Token counts, rounded and grouped ("365,643").
    static func tokens(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var grouped = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0, character != "-" { grouped.append(",") }
            grouped.append(character)
        }
        return String(grouped.reversed())
    }
}

/// Escaping for the markup formats.
enum Markup {
    /// Escapes text for XML/HTML element content and attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default:
                // Control characters other than tab/newline are not allowed in XML 1.0; trajectories can hold them.
                if let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1,
                    scalar.value < 0x20, scalar != "\t", scalar != "\n", scalar != "\r"
                {
                    result += "\u{FFFD}"
                } else {
                    result.append(character)
                }
            }
        }
        return result
    }

    /// Escapes text for a Markdown table cell.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
