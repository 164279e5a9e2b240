public import MLGymCore

/// Reads published per-method costs (`method,dollars_per_run[,tokens_sent_per_run,tokens_received_per_run,runs]`),
/// so a scores-only report can still plot AUP against cost (MLGym's cost figure uses these averages).
public enum MethodCostCSV {
    public static let requiredColumns = ["method", "dollars_per_run"]
    public static let optionalColumns = ["tokens_sent_per_run", "tokens_received_per_run", "runs"]

    public static func parse(_ text: String) throws(MLGymError) -> [String: MethodCost] {
        let records = try CSVText.records(text)
        guard let header = records.first else {
            throw MLGymError(.parse, "the costs file is empty (expected the header method,dollars_per_run)")
        }
        let names = header.fields.map { $0.lowercased() }
        for name in requiredColumns where !names.contains(name) {
            throw MLGymError(
                .parse, "line \(header.line): the header has no \"\(name)\" column (expected method,dollars_per_run)")
        }
        var costs: [String: MethodCost] = [:]
        var lines: [String: Int] = [:]
        for record in records.dropFirst() {
            let line = record.line
            guard record.fields.count == names.count else {
                throw MLGymError(.parse, "line \(line): expected \(names.count) fields, found \(record.fields.count)")
            }
            func number(_ column: String) throws(MLGymError) -> Double? {
                guard let index = names.firstIndex(of: column) else { return nil }
                let value = try ScoreTableCSV.number(record.fields[index], column: column, line: line)
                if let value, value < 0 {
                    throw MLGymError(.parse, "line \(line): \(column) \(value) is negative (costs are ≥ 0)")
                }
                return value
            }
            let method = record.fields[names.firstIndex(of: "method") ?? 0]
            guard !method.isEmpty else { throw MLGymError(.parse, "line \(line): the method name is empty") }
            if let previous = lines[method] {
                throw MLGymError(
                    .parse, "line \(line): duplicate row for method \"\(method)\" (first on line \(previous); keep one)")
            }
            lines[method] = line
            costs[method] = MethodCost(
                method: method, runs: try number("runs").map { Int($0) },
                dollarsPerRun: try number("dollars_per_run"), tokensSentPerRun: try number("tokens_sent_per_run"),
                tokensReceivedPerRun: try number("tokens_received_per_run"))
        }
        return costs
    }
}
