public import MLGymCore

extension ScoreReport {
    /// The report of finished runs as `campaign run` prints it at its end and the web view shows it: each
    /// method's Best Attempt and Best Submission over its runs, against the tasks' baselines, with the runs'
    /// costs and MLGym's max τ.
    public static func ofRuns(_ records: [RunRecord]) throws(MLGymError) -> ScoreReport {
        let table = try BestOf.table(from: records, baseline: "baseline", k: nil)
        return ScoreReport(table: table, costs: MethodCost.fromRuns(records), runs: records, maxTau: nil)
    }
}
