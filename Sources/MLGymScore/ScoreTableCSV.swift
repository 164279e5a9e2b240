import Foundation
public import MLGymCore

/// Reads a score table from CSV text: `task,direction,method,best_attempt,best_submission`.
///
/// This is how published results (MLGym's tables) are put beside one's own. Columns are found by name, so their
/// order is free and extra columns (a metric name, a note) are ignored. An empty cell, `NaN` or `-` means "no
/// valid score" (MLGym's own CSVs write NaN). Every error names the line it is about.
public enum ScoreTableCSV {
    /// The columns a score table must have.
    public static let requiredColumns = ["task", "direction", "method", "best_attempt", "best_submission"]

    /// Parses `text` into a table whose baseline method is `baseline`.
    public static func parse(_ text: String, baseline: String = "baseline") throws(MLGymError) -> ScoreTable {
        let records = try CSVText.records(text)
        guard let header = records.first else {
            throw MLGymError(.parse, "the scores file is empty (expected the header \(requiredColumns.joined(separator: ",")))")
        }
        let names = header.fields.map { $0.lowercased() }
        var column: [String: Int] = [:]
        for name in requiredColumns {
            guard let index = names.firstIndex(of: name) else {
                throw MLGymError(
                    .parse,
                    "line \(header.line): the header has no \"\(name)\" column "
                        + "(expected \(requiredColumns.joined(separator: ",")))")
            }
            column[name] = index
        }

        var order: [String] = []
        var directions: [String: (MetricDirection, line: Int)] = [:]
        var firstLine: [String: Int] = [:]
        var rowLine: [String: Int] = [:]
        var attempts: [String: [String: Double]] = [:]
        var submissions: [String: [String: Double]] = [:]
        var baselineLine: [String: Int] = [:]
        var methods = Set<String>()
        var rowOrder: [String: [String]] = [:]

        for record in records.dropFirst() {
            let line = record.line
            guard record.fields.count == names.count else {
                throw MLGymError(
                    .parse, "line \(line): expected \(names.count) fields, found \(record.fields.count) (quote fields that hold commas)")
            }
            func field(_ name: String) -> String { record.fields[column[name] ?? 0] }
            let task = field("task")
            let method = field("method")
            guard !task.isEmpty else { throw MLGymError(.parse, "line \(line): the task name is empty") }
            guard !method.isEmpty else { throw MLGymError(.parse, "line \(line): the method name is empty") }
            guard let direction = MetricDirection(rawValue: field("direction").lowercased()) else {
                throw MLGymError(
                    .parse, "line \(line): unknown direction \"\(field("direction"))\" for task \"\(task)\" (use max or min)")
            }
            if let (known, knownLine) = directions[task] {
                guard known == direction else {
                    throw MLGymError(
                        .parse,
                        "line \(line): task \"\(task)\" has direction \(direction.rawValue) here but \(known.rawValue) "
                            + "on line \(knownLine) (a task has one direction)")
                }
            } else {
                directions[task] = (direction, line)
                firstLine[task] = line
                order.append(task)
            }
            let key = task + "\u{0}" + method
            if let previous = rowLine[key] {
                throw MLGymError(
                    .parse,
                    "line \(line): duplicate row for task \"\(task)\", method \"\(method)\" (first on line \(previous); "
                        + "keep one)")
            }
            rowLine[key] = line
            rowOrder[task, default: []].append(method)
            methods.insert(method)
            if method == baseline { baselineLine[task] = line }
            if let score = try number(field("best_attempt"), column: "best_attempt", line: line) {
                attempts[task, default: [:]][method] = score
            }
            if let score = try number(field("best_submission"), column: "best_submission", line: line) {
                submissions[task, default: [:]][method] = score
            }
        }

        var tasks: [ScoreTable.Task] = []
        for task in order {
            guard let line = baselineLine[task] else {
                throw MLGymError(
                    .parse,
                    "line \(firstLine[task] ?? 0): task \"\(task)\" has no row for the baseline \"\(baseline)\" "
                        + "(add one, or name the baseline method with --baseline)")
            }
            for (view, scores) in [(ScoreView.bestAttempt, attempts), (.bestSubmission, submissions)]
            where scores[task]?[baseline] == nil {
                throw MLGymError(
                    .parse,
                    "line \(line): the baseline of task \"\(task)\" has no \(view.rawValue) score "
                        + "(feasibility is measured against it; fill it in)")
            }
            tasks.append(
                ScoreTable.Task(
                    name: task, direction: directions[task]?.0 ?? .max,
                    bestAttempt: attempts[task] ?? [:], bestSubmission: submissions[task] ?? [:],
                    inputOrder: rowOrder[task] ?? []))
        }
        guard !tasks.isEmpty else {
            throw MLGymError(.parse, "line \(header.line): the scores file has a header but no rows")
        }
        return try ScoreTable(baseline: baseline, tasks: tasks, otherMethods: methods)
    }

    /// Reads one score cell: nil for "no valid score", a finite number otherwise.
    static func number(_ text: String, column: String, line: Int) throws(MLGymError) -> Double? {
        let trimmed = text.replacingOccurrences(of: "\u{2212}", with: "-")  // a typographic minus from a paper
        if trimmed.isEmpty || trimmed == "-" || trimmed == "\u{2014}" || trimmed.lowercased() == "nan" { return nil }
        guard let value = Double(trimmed), value.isFinite else {
            throw MLGymError(
                .parse, "line \(line): \(column) \"\(text)\" is not a number (write a decimal number, or leave it empty)")
        }
        return value
    }
}
