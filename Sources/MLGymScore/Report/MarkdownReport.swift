import MLGymCore
/// The default report: a summary (AUP, Borda, mean rank, cost), the Pareto front, per-task tables for both views
/// and, when runs were given, how they went, in GitHub-flavoured Markdown a person can paste into an issue or a
/// paper draft.
public enum MarkdownReport {
    public static func render(_ report: ScoreReport) -> String {
        var out: [String] = []
        let table = report.table
        out.append("# MLGym report")
        out.append("")
        out.append(
            "\(table.tasks.count) tasks · \(table.methods.count) methods (baseline `\(table.baseline)`) · "
                + "max log10 τ = \(NumberFormat.maxTau(report.analysis.maxTau)) · ε = \(report.analysis.epsilon)")
        out.append("")
        out.append("## Summary")
        out.append("")
        out.append(contentsOf: summary(report))
        out.append("")
        out.append("## Rankings (\(report.bestAttemptRanking.rule == .mlgym ? "MLGym's positions" : "shared ranks"))")
        out.append("")
        for view in ScoreView.allCases {
            let ranking = report.ranking(view)
            out.append("- Borda, \(view.title): " + ranking.bordaOrder.map { "`\($0)` \(ranking.borda[$0] ?? 0)" }.joined(separator: ", "))
            out.append("- Mean rank, \(view.title): " + ranking.meanRankOrder.map { "`\($0)` \(NumberFormat.twoDecimals(ranking.meanRank[$0] ?? 0))" }.joined(separator: ", "))
        }
        if !report.bestAttemptFrontier.points.isEmpty {
            out.append("")
            out.append("## AUP versus cost")
            out.append("")
            for view in ScoreView.allCases {
                let front = report.frontier(view).front.map { "`\($0)`" }.joined(separator: ", ")
                out.append("- Pareto front (\(view.title) AUP, cost per run): \(front)")
            }
        }
        for view in ScoreView.allCases {
            out.append("")
            out.append("## \(view.title): per task")
            out.append("")
            out.append(contentsOf: perTask(report, view))
        }
        out.append("")
        out.append(
            "Cells show the score and its rank on the task. † infeasible (negative, or worse than the baseline), "
                + "‡ a zero or infinite ratio counted as infeasible, — no valid score. See docs/scoring.md.")
        out.append(contentsOf: outcomes(report))
        return out.joined(separator: "\n") + "\n"
    }

    static func summary(_ report: ScoreReport) -> [String] {
        let hasCost = !report.costs.isEmpty
        var header = ["Method", "AUP BA", "AUP BS", "Borda BA", "Borda BS", "Mean rank BA", "Mean rank BS"]
        if hasCost { header += ["$ / run", "Tokens in / run", "Tokens out / run"] }
        var lines = [row(header), row(header.map { _ in "---" })]
        for method in report.methodsByAUP {
            var cells = [
                Markup.cell(method),
                NumberFormat.aup(report.analysis.aup(method, .bestAttempt)),
                NumberFormat.aup(report.analysis.aup(method, .bestSubmission)),
                String(report.bestAttemptRanking.borda[method] ?? 0),
                String(report.bestSubmissionRanking.borda[method] ?? 0),
                NumberFormat.twoDecimals(report.bestAttemptRanking.meanRank[method] ?? 0),
                NumberFormat.twoDecimals(report.bestSubmissionRanking.meanRank[method] ?? 0),
            ]
            if hasCost {
                let cost = report.costs[method]
                cells += [
                    cost?.dollarsPerRun.map(NumberFormat.dollars) ?? "—",
                    cost?.tokensSentPerRun.map(NumberFormat.tokens) ?? "—",
                    cost?.tokensReceivedPerRun.map(NumberFormat.tokens) ?? "—",
                ]
            }
            lines.append(row(cells))
        }
        return lines
    }

    static func perTask(_ report: ScoreReport, _ view: ScoreView) -> [String] {
        let methods = report.table.methods
        let profile = report.analysis.profile(view)
        let ranking = report.ranking(view)
        var lines = [row(["Task", "Dir"] + methods.map(Markup.cell)), row((0..<(methods.count + 2)).map { _ in "---" })]
        for (index, task) in report.table.tasks.enumerated() {
            let ratios = profile.tasks[index]
            let ranks = Dictionary(uniqueKeysWithValues: ranking.tasks[index].entries.map { ($0.method, $0.rank) })
            let scores = task.scores(view)
            var cells = [Markup.cell(task.name), task.direction.rawValue]
            for method in methods {
                guard let score = scores[method] else {
                    cells.append("—")
                    continue
                }
                let mark: String
                switch ratios.standings[method] {
                case .negative?, .worseThanBaseline?: mark = " †"
                case .infiniteRatio?: mark = " ‡"
                default: mark = ""
                }
                cells.append("\(NumberFormat.score(score))\(mark) (\(ranks[method] ?? 0))")
            }
            lines.append(row(cells))
        }
        return lines
    }

    static func row(_ cells: [String]) -> String {
        "| " + cells.joined(separator: " | ") + " |"
    }
}
