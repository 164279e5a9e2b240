import Foundation
import MLGymCore
internal import Yams

/// One YAML mapping from a task or dataset file, read field by field. Every error names the file, the field
/// and what was expected, and fields nobody asked for are reported by `rejectUnknown`, so a typo in an MLGym
/// config (`command_parser:` for `parser:`) fails loudly instead of being ignored.
struct YAMLFields {
    let file: String
    private let values: [String: Node]
    private let order: [String]

    /// Parses `text` (the contents of `file`), which must be a mapping at the top level.
    init(file: String, text: String) throws(MLGymError) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw MLGymError(.parse, "\(file): not valid YAML: \(Self.describe(error))")
        }
        guard let mapping = node?.mapping else {
            throw MLGymError(.parse, "\(file): expected a mapping of fields at the top level")
        }
        try self.init(file: file, mapping: mapping, context: nil)
    }

    private init(file: String, mapping: Node.Mapping, context: String?) throws(MLGymError) {
        self.file = file
        var values: [String: Node] = [:]
        var order: [String] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                throw MLGymError(.parse, "\(file): \(context.map { "in '\($0)': " } ?? "")keys must be plain names")
            }
            guard values[name] == nil else {
                throw MLGymError(.parse, "\(file): field '\(Self.path(context, name))' appears twice")
            }
            values[name] = value
            order.append(name)
        }
        self.values = values
        self.order = order
    }

    /// Field names in file order.
    var names: [String] { order }

    func rejectUnknown(allowed: Set<String>) throws(MLGymError) {
        for name in order where !allowed.contains(name) {
            let known = allowed.sorted().joined(separator: ", ")
            throw MLGymError(.parse, "\(file): unknown field '\(name)' (known fields: \(known))")
        }
    }

    func has(_ name: String) -> Bool {
        guard let node = values[name] else { return false }
        return !Self.isNull(node)
    }

    func string(_ name: String) throws(MLGymError) -> String? {
        guard let node = values[name], !Self.isNull(node) else { return nil }
        guard let scalar = node.scalar else { throw mismatch(name, "a string", node) }
        return scalar.string
    }

    func requiredString(_ name: String) throws(MLGymError) -> String {
        guard let value = try string(name), !value.isEmpty else {
            throw MLGymError(.parse, "\(file): field '\(name)' is required (a non-empty string)")
        }
        return value
    }

    func int(_ name: String) throws(MLGymError) -> Int? {
        guard let node = values[name], !Self.isNull(node) else { return nil }
        guard let scalar = node.scalar, let value = Int(scalar.string) else { throw mismatch(name, "a whole number", node) }
        return value
    }

    func double(_ name: String) throws(MLGymError) -> Double? {
        guard let node = values[name], !Self.isNull(node) else { return nil }
        guard let scalar = node.scalar, let value = Self.number(scalar.string) else { throw mismatch(name, "a number", node) }
        return value
    }

    func bool(_ name: String) throws(MLGymError) -> Bool? {
        guard let node = values[name], !Self.isNull(node) else { return nil }
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw mismatch(name, "true or false", node)
        }
    }

    /// A list of strings; a single string is accepted as a list of one (MLGym's configs use both).
    func strings(_ name: String) throws(MLGymError) -> [String] {
        guard let node = values[name], !Self.isNull(node) else { return [] }
        if let scalar = node.scalar { return [scalar.string] }
        guard let sequence = node.sequence else { throw mismatch(name, "a list of strings", node) }
        var result: [String] = []
        for item in sequence {
            guard let scalar = item.scalar, !Self.isNull(item) else { throw mismatch(name, "a list of strings", item) }
            result.append(scalar.string)
        }
        return result
    }

    /// A list of mappings from metric name to number (`baseline_scores`).
    func metricsList(_ name: String) throws(MLGymError) -> [[String: Double]] {
        guard let node = values[name], !Self.isNull(node) else { return [] }
        guard let sequence = node.sequence else { throw mismatch(name, "a list of {metric: number} mappings", node) }
        var result: [[String: Double]] = []
        for item in sequence {
            guard let mapping = item.mapping else { throw mismatch(name, "a list of {metric: number} mappings", item) }
            var metrics: [String: Double] = [:]
            for (key, value) in mapping {
                guard let metric = key.scalar?.string, let number = value.scalar.flatMap({ Self.number($0.string) }) else {
                    throw mismatch(name, "a list of {metric: number} mappings", item)
                }
                metrics[metric] = number
            }
            result.append(metrics)
        }
        return result
    }

    /// A nested mapping, read with the same rules (MLGym's split configs).
    func mapping(_ name: String) throws(MLGymError) -> YAMLFields? {
        guard let node = values[name], !Self.isNull(node) else { return nil }
        guard let mapping = node.mapping else { throw mismatch(name, "a mapping", node) }
        return try YAMLFields(file: file, mapping: mapping, context: name)
    }

    private func mismatch(_ name: String, _ expected: String, _ node: Node) -> MLGymError {
        MLGymError(.parse, "\(file): field '\(name)' must be \(expected), not \(Self.kind(of: node))")
    }

    private static func kind(of node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "'\(scalar.string.prefix(60))'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private static func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// YAML numbers as MLGym's configs write them, including `.inf` and `1e-3`.
    private static func number(_ text: String) -> Double? {
        switch text.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: return Double(text.replacingOccurrences(of: "_", with: ""))
        }
    }

    private static func path(_ context: String?, _ name: String) -> String {
        context.map { "\($0).\(name)" } ?? name
    }

    private static func describe(_ error: any Error) -> String {
        String(describing: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
