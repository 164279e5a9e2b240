import Foundation
import MLGymCore

/// The small part of RFC 4180 that score and cost tables need: one record per line, commas between fields,
/// double quotes around fields that hold commas or quotes (a quote inside is written twice).
///
/// Records do not span lines: score tables never need that, and it keeps every error tied to one line number.
enum CSVText {
    /// One non-empty, non-comment line and its 1-based number in the file.
    struct Record {
        let line: Int
        let fields: [String]
    }

    /// Splits `text` into records, skipping blank lines and lines that start with `#` (comments, e.g. where the
    /// numbers came from). Fields are trimmed of surrounding spaces.
    static func records(_ text: String) throws(MLGymError) -> [Record] {
        var records: [Record] = []
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.first == "#" { continue }
            records.append(Record(line: number, fields: try fields(of: line, lineNumber: number)))
        }
        return records
    }

    static func fields(of line: Substring, lineNumber: Int) throws(MLGymError) -> [String] {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            index = line.index(after: index)
            if inQuotes {
                if character == "\"" {
                    if index < line.endIndex, line[index] == "\"" {
                        current.append("\"")
                        index = line.index(after: index)
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inQuotes = true
            } else if character == "," {
                fields.append(trim(current))
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !inQuotes else {
            throw MLGymError(.parse, "line \(lineNumber): unterminated quoted field (close the \" on the same line)")
        }
        fields.append(trim(current))
        return fields
    }

    /// Quotes a field when it needs it, so what `records` reads back is what was written.
    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func trim(_ text: String) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
