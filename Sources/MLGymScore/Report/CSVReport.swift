/// The summary as CSV, one row per method (ordered by AUP), for spreadsheets and scripts.
public enum CSVReport {
    public static let header = [
        "method", "aup_best_attempt", "aup_best_submission", "borda_best_attempt", "borda_best_submission",
        "mean_rank_best_attempt", "mean_rank_best_submission", "dollars_per_run", "tokens_sent_per_run",
        "tokens_received_per_run", "max_tau",
    ]

    public static func render(_ report: ScoreReport) -> String {
        var lines = [header.joined(separator: ",")]
        for method in report.methodsByAUP {
            let cost = report.costs[method]
            let fields = [
                CSVText.escape(method),
                NumberFormat.aup(report.analysis.aup(method, .bestAttempt)),
                NumberFormat.aup(report.analysis.aup(method, .bestSubmission)),
                String(report.bestAttemptRanking.borda[method] ?? 0),
                String(report.bestSubmissionRanking.borda[method] ?? 0),
                String(report.bestAttemptRanking.meanRank[method] ?? 0),
                String(report.bestSubmissionRanking.meanRank[method] ?? 0),
                cost?.dollarsPerRun.map { String($0) } ?? "",
                cost?.tokensSentPerRun.map { String($0) } ?? "",
                cost?.tokensReceivedPerRun.map { String($0) } ?? "",
                NumberFormat.maxTau(report.analysis.maxTau),
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
