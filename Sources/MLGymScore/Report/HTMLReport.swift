import MLGymCore

/// One self-contained HTML file: the AUP table, the plots (inline SVG), the per-task tables and, when run records
/// were given, how the runs went (exit statuses, failures, actions) and one page per run (trajectory, evaluations,
/// cost). Pages are sections shown through URL fragments (`#run-3`) with CSS `:target`, so the file needs no
/// server, no script and no network.
public enum HTMLReport {
    public static func render(_ report: ScoreReport) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>MLGym report</title>
            <style>\(style)</style>
            </head>
            <body>
            <main id="summary">

            """
        let table = report.table
        html += "<h1>MLGym report</h1>\n"
        html += "<p class=\"meta\">\(table.tasks.count) tasks · \(table.methods.count) methods (baseline "
            + "<code>\(Markup.escape(table.baseline))</code>) · max log10 τ = \(NumberFormat.maxTau(report.analysis.maxTau)) · "
            + "ε = \(report.analysis.epsilon) · \(report.runs.count) run records</p>\n"
        let outcomesLink = report.outcomes == nil ? "" : "<a href=\"#outcomes\">Outcomes</a> "
        html += "<nav><a href=\"#aup\">AUP</a> <a href=\"#profiles\">Profiles</a> <a href=\"#cost\">Cost</a> "
            + "<a href=\"#tasks\">Per task</a> \(outcomesLink)<a href=\"#runs\">Runs</a></nav>\n"
        html += "<h2 id=\"aup\">AUP and rankings</h2>\n" + summaryTable(report)
        html += "<p class=\"note\">AUP: area under the performance profile (higher is better, at most max log10 τ). "
            + "Borda: sum over tasks of n − (rank − 1). Mean rank: 1 is best.</p>\n"
        html += "<h2 id=\"profiles\">Performance profiles</h2>\n<div class=\"plots\">\n"
        for view in ScoreView.allCases {
            html += "<figure>" + SVGPlot.profilePanel(report, view, width: 590) + "</figure>\n"
        }
        html += "</div>\n<h2 id=\"cost\">AUP versus cost</h2>\n<figure>" + SVGPlot.costPanel(report) + "</figure>\n"
        if !report.bestAttemptFrontier.points.isEmpty {
            html += "<p>Pareto front (Best Attempt): "
                + report.bestAttemptFrontier.front.map { "<code>\(Markup.escape($0))</code>" }.joined(separator: ", ")
                + ". Best Submission: "
                + report.bestSubmissionFrontier.front.map { "<code>\(Markup.escape($0))</code>" }.joined(separator: ", ")
                + ".</p>\n"
        }
        html += "<h2 id=\"tasks\">Per-task scores</h2>\n"
        for view in ScoreView.allCases {
            html += "<h3>\(view.title)</h3>\n" + taskTable(report, view)
        }
        html += "<p class=\"note\"><span class=\"infeasible\">Struck-through</span> scores are infeasible (negative, "
            + "worse than the baseline, or a zero ratio); — means no valid score. Small numbers are ranks; bold is "
            + "best on the task.</p>\n"
        html += outcomes(report)
        html += "<h2 id=\"runs\">Runs</h2>\n" + runIndex(report)
        html += "</main>\n"
        for (index, run) in report.runs.enumerated() {
            html += HTMLRunPage.render(run, anchor: "run-\(index + 1)")
        }
        html += "</body>\n</html>\n"
        return html
    }

    static func summaryTable(_ report: ScoreReport) -> String {
        let hasCost = !report.costs.isEmpty
        var html = "<table id=\"aup-table\" class=\"summary\">\n<thead><tr><th>Method</th><th>AUP Best Attempt</th>"
            + "<th>AUP Best Submission</th><th>Borda BA</th><th>Borda BS</th><th>Mean rank BA</th><th>Mean rank BS</th>"
        if hasCost { html += "<th>$ / run</th><th>Tokens in / run</th><th>Tokens out / run</th>" }
        html += "</tr></thead>\n<tbody>\n"
        for method in report.methodsByAUP {
            let baselineClass = method == report.table.baseline ? " class=\"baseline\"" : ""
            html += "<tr\(baselineClass)><th>\(Markup.escape(method))</th>"
            html += "<td>\(NumberFormat.aup(report.analysis.aup(method, .bestAttempt)))</td>"
            html += "<td>\(NumberFormat.aup(report.analysis.aup(method, .bestSubmission)))</td>"
            html += "<td>\(report.bestAttemptRanking.borda[method] ?? 0)</td>"
            html += "<td>\(report.bestSubmissionRanking.borda[method] ?? 0)</td>"
            html += "<td>\(NumberFormat.twoDecimals(report.bestAttemptRanking.meanRank[method] ?? 0))</td>"
            html += "<td>\(NumberFormat.twoDecimals(report.bestSubmissionRanking.meanRank[method] ?? 0))</td>"
            if hasCost {
                let cost = report.costs[method]
                html += "<td>\(cost?.dollarsPerRun.map(NumberFormat.dollars) ?? "—")</td>"
                html += "<td>\(cost?.tokensSentPerRun.map(NumberFormat.tokens) ?? "—")</td>"
                html += "<td>\(cost?.tokensReceivedPerRun.map(NumberFormat.tokens) ?? "—")</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    static func taskTable(_ report: ScoreReport, _ view: ScoreView) -> String {
        let methods = report.table.methods
        let profile = report.analysis.profile(view)
        let ranking = report.ranking(view)
        var html = "<table class=\"tasks\">\n<thead><tr><th>Task</th><th>Dir</th>"
        html += methods.map { "<th>\(Markup.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for (index, task) in report.table.tasks.enumerated() {
            let ratios = profile.tasks[index]
            let ranks = Dictionary(uniqueKeysWithValues: ranking.tasks[index].entries.map { ($0.method, $0.rank) })
            let scores = task.scores(view)
            html += "<tr><th>\(Markup.escape(task.name))</th><td>\(task.direction.rawValue)</td>"
            for method in methods {
                guard let score = scores[method] else {
                    html += "<td class=\"missing\">—</td>"
                    continue
                }
                var classes: [String] = []
                if ratios.standings[method] != .feasible { classes.append("infeasible") }
                if ratios.ratios[method] == 1, ratios.standings[method] == .feasible { classes.append("best") }
                let title = "ratio \(NumberFormat.twoDecimals(ratios.ratios[method] ?? 0)), "
                    + (ratios.standings[method]?.rawValue ?? "")
                html += "<td class=\"\(classes.joined(separator: " "))\" title=\"\(Markup.escape(title))\">"
                    + "\(NumberFormat.score(score)) <small>\(ranks[method] ?? 0)</small></td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    static func runIndex(_ report: ScoreReport) -> String {
        guard !report.runs.isEmpty else {
            return "<p>No run records: this report was made from a scores table, so there are no per-run pages.</p>\n"
        }
        var html = "<table class=\"runs\">\n<thead><tr><th>Run</th><th>Task</th><th>Method</th><th>#</th>"
            + "<th>Exit status</th><th>Best attempt</th><th>Submission</th><th>Evaluations</th><th>Steps</th>"
            + "<th>$</th></tr></thead>\n<tbody>\n"
        for (index, run) in report.runs.enumerated() {
            html += "<tr><td><a href=\"#run-\(index + 1)\">\(Markup.escape(run.id))</a></td>"
                + "<td>\(Markup.escape(run.task))</td><td>\(Markup.escape(run.method))</td><td>\(run.attempt)</td>"
                + "<td>\(Markup.escape(run.exitStatus ?? "—"))</td>"
                + "<td>\(BestOf.bestAttempt(of: run).map(NumberFormat.score) ?? "—")</td>"
                + "<td>\(BestOf.submission(of: run).map(NumberFormat.score) ?? "—")</td>"
                + "<td>\(run.evaluations.count)</td><td>\(run.stepsTaken.map { String($0) } ?? "—")</td>"
                + "<td>\(run.usage?.dollars.map(NumberFormat.dollars) ?? "—")</td></tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    static let style = """
        body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1240px;padding:0 16px;\
        color:#222;line-height:1.4}
        h1{margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
        .meta,.note{color:#555;font-size:14px}nav a{margin-right:14px}
        table{border-collapse:collapse;margin:8px 0;font-size:14px}
        th,td{border:1px solid #d0d0d0;padding:4px 8px;text-align:right;vertical-align:top}
        th:first-child,td:first-child{text-align:left}thead th{background:#f0f3f7}
        table.summary tbody tr:first-child{background:#eef7ee}tr.baseline{color:#555;font-style:italic}
        td.best{font-weight:bold}td.infeasible{color:#a33;text-decoration:line-through}td.missing{color:#999}
        td small{color:#777}.plots{display:flex;flex-wrap:wrap;gap:12px}.plots figure{flex:1 1 0;min-width:440px}\
        .plots svg{width:100%;height:auto}figure{margin:0}figure svg{max-width:100%;height:auto}
        section.run{display:none}section.run:target{display:block}body:has(section.run:target) main{display:none}
        pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;border:1px solid #e1e4e8;padding:8px;\
        max-height:360px;overflow:auto;font-size:13px}
        details{border:1px solid #ddd;border-radius:4px;margin:6px 0;padding:4px 8px}summary{cursor:pointer}
        """
}
