public import MLGymCore

/// One run's page inside the HTML report: what it was, how it ended, what it cost, every evaluation, and the
/// trajectory step by step (thought, action, observation).
public enum HTMLRunPage {
    public static func render(_ run: RunRecord, anchor: String) -> String {
        var html = "<section class=\"run\" id=\"\(Markup.escape(anchor))\">\n"
        html += "<p><a href=\"#runs\">← all runs</a> · <a href=\"#aup\">summary</a></p>\n"
        html += "<h1>Run \(Markup.escape(run.id))</h1>\n"
        html += "<table class=\"facts\"><tbody>\n"
        var facts: [(String, String)] = [
            ("Task", run.task), ("Method", run.method), ("Attempt", String(run.attempt)),
            ("Metric", "\(run.metric) (\(run.direction.rawValue))"),
            ("Exit status", run.exitStatus ?? "—"),
            ("Baseline", run.baseline?[run.metric].map(NumberFormat.score) ?? "—"),
            ("Best attempt", BestOf.bestAttempt(of: run).map(NumberFormat.score) ?? "—"),
            ("Submission", BestOf.submission(of: run).map(NumberFormat.score) ?? "—"),
        ]
        if let usage = run.usage {
            facts.append(("Tokens sent / received", "\(NumberFormat.tokens(Double(usage.tokensSent))) / "
                + NumberFormat.tokens(Double(usage.tokensReceived))))
            if let calls = usage.apiCalls { facts.append(("API calls", String(calls))) }
            facts.append(("Cost", usage.dollars.map(NumberFormat.dollars) ?? "—"))
        }
        for (name, value) in facts {
            html += "<tr><th>\(Markup.escape(name))</th><td>\(Markup.escape(value))</td></tr>\n"
        }
        html += "</tbody></table>\n"

        html += "<h2>Evaluations</h2>\n"
        if run.evaluations.isEmpty {
            html += "<p>No evaluations.</p>\n"
        } else {
            html += "<table class=\"evaluations\"><thead><tr><th>#</th><th>Kind</th><th>Step</th>"
                + "<th>\(Markup.escape(run.metric))</th><th>All metrics</th><th>Error</th></tr></thead><tbody>\n"
            for (index, evaluation) in run.evaluations.enumerated() {
                let all = evaluation.metrics.keys.sorted().map { "\($0)=\(NumberFormat.score(evaluation.metrics[$0] ?? 0))" }
                html += "<tr><td>\(index + 1)</td><td>\(evaluation.kind.rawValue)</td>"
                    + "<td>\(evaluation.step.map(String.init) ?? "—")</td>"
                    + "<td>\(evaluation.metrics[run.metric].map(NumberFormat.score) ?? "—")</td>"
                    + "<td>\(Markup.escape(all.joined(separator: ", ")))</td>"
                    + "<td>\(Markup.escape(evaluation.error ?? ""))</td></tr>\n"
            }
            html += "</tbody></table>\n"
        }

        html += "<h2>Trajectory</h2>\n"
        if run.steps.isEmpty { html += "<p>No steps recorded.</p>\n" }
        for (index, step) in run.steps.enumerated() {
            let firstLine = step.action.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
            html += "<details\(index == 0 ? " open" : "")><summary>Step \(index + 1): <code>"
                + "\(Markup.escape(SVGPlot.truncated(firstLine, 100)))</code></summary>\n"
            if !step.thought.isEmpty { html += "<h4>Thought</h4>\n<pre>\(Markup.escape(step.thought))</pre>\n" }
            html += "<h4>Action</h4>\n<pre>\(Markup.escape(step.action))</pre>\n"
            html += "<h4>Observation</h4>\n<pre>\(Markup.escape(step.observation))</pre>\n</details>\n"
        }
        return html + "</section>\n"
    }
}
