import Foundation

/// The groups MLGym's termination analysis sorts exit statuses into, so runs that ended the same way count together
/// whatever the exact wording: "autosubmission (exit_cost)" is Cost, "submission_not_found (exit_format)" is both
/// Evaluation and Format (the final evaluation failed, and the run ended on the format limit).
///
/// MLGym keeps a lookup table of the statuses its own runs produced. mlgym reads the groups from a status's shape
/// instead, an outcome followed by the limit that ended the run in brackets, so statuses MLGym never met (exit_time,
/// a daemon's error message) group as well. These follow MLGym's table: a run that ran out of steps counts as Max
/// Steps only when its auto-submission was scored; a failed final evaluation is Evaluation plus the limit that
/// triggered it, except the step limit and a deliberate submit, which add nothing. A status of no known shape is its
/// own group, as in MLGym.
public enum ExitStatusGroup {
    public static let success = "Success"
    public static let maxSteps = "Max Steps"
    public static let cost = "Cost"
    public static let context = "Context"
    public static let format = "Format"
    public static let api = "API"
    /// mlgym's wall-time limit (exit_time); MLGym has none.
    public static let time = "Time"
    public static let evaluation = "Evaluation"
    public static let runtime = "Runtime"
    public static let forfeit = "Forfeit"
    public static let skipped = "Skipped"
    /// Stopped by a person or by the daemon going away; not an MLGym status.
    public static let interrupted = "Interrupted"
    /// The record has no exit status.
    public static let unknown = "Unknown"

    /// The named groups in the order reports show them; any other group (a status of no known shape) follows, by name.
    public static let displayOrder = [
        success, maxSteps, cost, context, format, api, time, evaluation, runtime, forfeit, skipped, interrupted, unknown,
    ]

    /// The limits that end a run, by the name exit statuses give them in brackets.
    static let limits: [String: String] = [
        "max_steps": maxSteps, "exit_cost": cost, "exit_context": context, "exit_format": format, "exit_api": api,
        "exit_time": time, "exit_error": runtime, "exit_forfeit": forfeit,
    ]

    /// Statuses that are a group by themselves.
    static let whole: [String: String] = [
        "submitted": success, "early_exit": runtime, "interrupted": interrupted, "skipped": skipped, "skip": skipped,
    ]

    /// `status` as reports list it: without surrounding white space, "" for none.
    public static func normalized(_ status: String?) -> String {
        (status ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The groups a run that ended with `status` counts in: one, or two for a failed final evaluation that a limit
    /// triggered. A missing or empty status is Unknown.
    public static func groups(of status: String?) -> [String] {
        let text = normalized(status)
        guard !text.isEmpty else { return [unknown] }
        if let group = whole[text] ?? limits[text] { return [group] }
        let (outcome, reason) = split(text)
        // A failed evaluation names the limit that triggered it, unless that was the step limit or a submit.
        let trigger = reason.flatMap { $0 == "max_steps" ? nil : limits[$0] }
        var groups: [String]
        if outcome == "autosubmission", let reason, let limit = limits[reason] {
            groups = [limit]
        } else if outcome == "submission_not_found" || outcome == "evaluation_format_error" {
            groups = [evaluation] + (trigger.map { [$0] } ?? [])
        } else if outcome.hasPrefix("unknown_error") {
            groups = [runtime] + (trigger.map { [$0] } ?? [])
        } else {
            groups = [text]
        }
        var seen = Set<String>()
        groups = groups.filter { seen.insert($0).inserted }
        return groups
    }

    /// Whether a run in `groups` ended as MLGym expects a run to end: with its own submission, or with a scored
    /// auto-submission at the step limit.
    public static func endedCleanly(_ groups: [String]) -> Bool {
        groups.contains(success) || groups.contains(maxSteps)
    }

    /// Splits "outcome (reason)" into its parts; a status without a bracketed tail is all outcome. The outcome
    /// loses a trailing comma ("unknown_error: the sandbox died, (exit_cost)").
    static func split(_ text: String) -> (outcome: String, reason: String?) {
        guard text.hasSuffix(")"), let open = text.lastIndex(of: "(") else { return (text, nil) }
        let reason = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        var outcome = text[..<open].trimmingCharacters(in: .whitespaces)
        if outcome.hasSuffix(",") { outcome.removeLast() }
        return (outcome, reason)
    }
}
