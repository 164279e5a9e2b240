/// The run-outcome section of the HTML report: the same tables as the Markdown report's, plus the actions taken at
/// each step number (folded, as it has a row per step). Only reports made from run records have it.
extension HTMLReport {
    static func outcomes(_ report: ScoreReport) -> String {
        guard let outcomes = report.outcomes else { return "" }
        var html = "<h2 id=\"outcomes\">Run outcomes</h2>\n"
        html += "<p class=\"note\">\(outcomes.runs) run\(outcomes.runs == 1 ? "" : "s"). Exit statuses are sorted into "
            + "MLGym's groups; a failed final evaluation counts in two (Evaluation, and the limit that triggered it). "
            + "Failed: no evaluation produced a value of the task's metric. Incomplete: one did, but the run ended "
            + "with neither a submission nor an auto-submission at the step limit.</p>\n"
        html += "<h3>Exit statuses</h3>\n<table class=\"outcomes\">\n<thead><tr><th>Exit status</th><th>Groups</th>"
            + "<th>Runs</th></tr></thead>\n<tbody>\n"
        for status in outcomes.exitStatuses {
            html += "<tr><td>\(status.status.isEmpty ? "—" : Markup.escape(status.status))</td>"
                + "<td>\(Markup.escape(status.groups.joined(separator: ", ")))</td><td>\(status.runs)</td></tr>\n"
        }
        html += "</tbody>\n</table>\n"
        html += "<h3>Exit-status groups per method</h3>\n" + counts(outcomes.exitGroupsByMethod, rowTitle: "Method")
        html += "<h3>Exit-status groups per task</h3>\n" + counts(outcomes.exitGroupsByTask, rowTitle: "Task")
        html += "<h3>Failed and incomplete runs</h3>\n" + failures(outcomes.failuresByMethod, rowTitle: "Method")
            + failures(outcomes.failuresByTask, rowTitle: "Task")
        html += "<h3>Steps and actions per method</h3>\n" + steps(outcomes)
        if outcomes.hasActions {
            html += "<h3>Actions per task</h3>\n" + counts(outcomes.actionsByTask, rowTitle: "Task")
            html += "<details><summary>Actions at each step</summary>\n"
                + counts(outcomes.actionsByStep, rowTitle: "Step") + "</details>\n"
            html += "<p class=\"note\">Actions are counted over the runs that carry their trajectory (Runs), by the "
                + "command each starts with: Edit (create, edit, insert), View (open, goto, scroll), Search, Validate, "
                + "Submit, Python (python, torchrun, accelerate, deepspeed) and Bash (anything else).</p>\n"
        }
        return html
    }

    static func counts(_ table: RunOutcomes.Counts, rowTitle: String) -> String {
        var html = "<table class=\"outcomes\">\n<thead><tr><th>\(rowTitle)</th><th>Runs</th>"
        html += table.columns.map { "<th>\(Markup.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for entry in table.rows {
            html += "<tr><th>\(Markup.escape(entry.name))</th><td>\(entry.runs)</td>"
                + entry.counts.map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    static func failures(_ entries: [RunOutcomes.Failures], rowTitle: String) -> String {
        var html = "<table class=\"outcomes\">\n<thead><tr><th>\(rowTitle)</th><th>Runs</th><th>Failed</th>"
            + "<th>Incomplete</th></tr></thead>\n<tbody>\n"
        for entry in entries {
            html += "<tr><th>\(Markup.escape(entry.name))</th><td>\(entry.runs)</td><td>\(entry.failed)</td>"
                + "<td>\(entry.incomplete)</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    static func steps(_ outcomes: RunOutcomes) -> String {
        guard outcomes.stepsByMethod.contains(where: { $0.meanSteps != nil }) else {
            return "<p>No run record says how many steps it took.</p>\n"
        }
        let kinds = outcomes.actionsByMethod.columns
        var html = "<table class=\"outcomes\">\n<thead><tr><th>Method</th><th>Runs</th><th>Mean steps / run</th>"
        html += kinds.map { "<th>\(Markup.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for entry in outcomes.stepsByMethod {
            var mean = entry.meanSteps.map(NumberFormat.meanCount) ?? "—"
            if entry.meanSteps != nil, entry.runsWithSteps != entry.runs { mean += " (of \(entry.runsWithSteps))" }
            let traced = outcomes.actionsByMethod.rows.first { $0.name == entry.method }
            let actions = traced.map { found in found.counts.map { "<td>\($0)</td>" }.joined() }
                ?? String(repeating: "<td>—</td>", count: kinds.count)
            html += "<tr><th>\(Markup.escape(entry.method))</th><td>\(entry.runs)</td><td>\(mean)</td>\(actions)</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }
}
