/// The run-outcome sections of the Markdown report: exit statuses and their groups, failed and incomplete runs,
/// steps and actions. Only reports made from run records have them.
extension MarkdownReport {
    static func outcomes(_ report: ScoreReport) -> [String] {
        guard let outcomes = report.outcomes else { return [] }
        var out = ["", "## Run outcomes", ""]
        out.append(
            "\(outcomes.runs) run\(outcomes.runs == 1 ? "" : "s"). Exit statuses are sorted into MLGym's groups; a "
                + "failed final evaluation counts in two (Evaluation, and the limit that triggered it). See "
                + "docs/scoring.md.")
        out += ["", "### Exit statuses", ""]
        out.append(row(["Exit status", "Groups", "Runs"]))
        out.append(row(["---", "---", "---"]))
        for status in outcomes.exitStatuses {
            out.append(
                row([
                    status.status.isEmpty ? "—" : Markup.cell(status.status),
                    Markup.cell(status.groups.joined(separator: ", ")), String(status.runs),
                ]))
        }
        out += ["", "### Exit-status groups per method", ""]
        out += counts(outcomes.exitGroupsByMethod, rowTitle: "Method")
        out += ["", "### Exit-status groups per task", ""]
        out += counts(outcomes.exitGroupsByTask, rowTitle: "Task")
        out += ["", "### Failed and incomplete runs", ""]
        out += failures(outcomes.failuresByMethod, rowTitle: "Method")
        out.append("")
        out += failures(outcomes.failuresByTask, rowTitle: "Task")
        out.append("")
        out.append(
            "Failed: no evaluation produced a value of the task's metric. Incomplete: one did, but the run ended with "
                + "neither a submission nor an auto-submission at the step limit.")
        out += ["", "### Steps and actions per method", ""]
        out += steps(outcomes)
        if outcomes.hasActions {
            out += ["", "### Actions per task", ""]
            out += counts(outcomes.actionsByTask, rowTitle: "Task")
            out.append("")
            out.append(
                "Actions are counted over the runs that carry their trajectory (Runs), by the command each starts "
                    + "with: Edit (create, edit, insert), View (open, goto, scroll), Search, Validate, Submit, Python "
                    + "(python, torchrun, accelerate, deepspeed) and Bash (anything else).")
        }
        return out
    }

    /// A count table: one row per row of `table`, its runs, then one column per group or kind.
    static func counts(_ table: RunOutcomes.Counts, rowTitle: String) -> [String] {
        var lines = [row([rowTitle, "Runs"] + table.columns.map(Markup.cell))]
        lines.append(row((0..<(table.columns.count + 2)).map { _ in "---" }))
        for entry in table.rows {
            lines.append(row([Markup.cell(entry.name), String(entry.runs)] + entry.counts.map { String($0) }))
        }
        return lines
    }

    static func failures(_ entries: [RunOutcomes.Failures], rowTitle: String) -> [String] {
        var lines = [row([rowTitle, "Runs", "Failed", "Incomplete"]), row(["---", "---", "---", "---"])]
        for entry in entries {
            lines.append(row([Markup.cell(entry.name), String(entry.runs), String(entry.failed), String(entry.incomplete)]))
        }
        return lines
    }

    /// Mean steps per run and, where trajectories were given, the actions of each kind, per method.
    static func steps(_ outcomes: RunOutcomes) -> [String] {
        guard outcomes.stepsByMethod.contains(where: { $0.meanSteps != nil }) else {
            return ["No run record says how many steps it took."]
        }
        let kinds = outcomes.actionsByMethod.columns
        var lines = [row(["Method", "Runs", "Mean steps / run"] + kinds)]
        lines.append(row((0..<(kinds.count + 3)).map { _ in "---" }))
        for entry in outcomes.stepsByMethod {
            var mean = entry.meanSteps.map(NumberFormat.meanCount) ?? "—"
            if entry.meanSteps != nil, entry.runsWithSteps != entry.runs { mean += " (of \(entry.runsWithSteps))" }
            let traced = outcomes.actionsByMethod.rows.first { $0.name == entry.method }
            let actions = traced.map { found in found.counts.map { String($0) } } ?? kinds.map { _ in "—" }
            lines.append(row([Markup.cell(entry.method), String(entry.runs), mean] + actions))
        }
        return lines
    }
}
