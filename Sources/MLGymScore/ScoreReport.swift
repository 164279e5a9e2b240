public import MLGymCore

/// Everything a report shows, computed once: the table, both profiles and AUPs, both rankings, costs and the
/// Pareto fronts, the runs behind them (for per-run pages) and how those runs went. Renderers only format this.
public struct ScoreReport: Sendable, Equatable {
    public let table: ScoreTable
    public let analysis: AUPAnalysis
    public let bestAttemptRanking: Ranking
    public let bestSubmissionRanking: Ranking
    /// Per-method cost, keyed by method; empty when neither runs nor a cost table were given.
    public let costs: [String: MethodCost]
    public let bestAttemptFrontier: CostFrontier
    public let bestSubmissionFrontier: CostFrontier
    /// The runs the table was built from, in the order given; empty for a scores-only report.
    public let runs: [RunRecord]
    /// Exit statuses, failed and incomplete runs and actions of `runs`; nil for a scores-only report.
    public let outcomes: RunOutcomes?

    /// - Parameter maxTau: a fixed max log10 τ (see `AUPAnalysis`); nil computes it as MLGym does.
    /// - Parameter ranking: how ties and missing scores are placed (`RankingRule`).
    public init(
        table: ScoreTable, costs: [String: MethodCost] = [:], runs: [RunRecord] = [], maxTau: Double? = nil,
        ranking: RankingRule = .shared
    ) {
        let analysis = AUPAnalysis(table: table, maxTau: maxTau)
        self.table = table
        self.analysis = analysis
        self.bestAttemptRanking = Ranking(table: table, view: .bestAttempt, rule: ranking)
        self.bestSubmissionRanking = Ranking(table: table, view: .bestSubmission, rule: ranking)
        self.costs = costs
        self.bestAttemptFrontier = CostFrontier(costs: costs, analysis: analysis, view: .bestAttempt)
        self.bestSubmissionFrontier = CostFrontier(costs: costs, analysis: analysis, view: .bestSubmission)
        self.runs = runs
        self.outcomes = runs.isEmpty
            ? nil
            : RunOutcomes(
                runs: runs, methodOrder: Self.methods(of: table, byAUPIn: analysis), taskOrder: table.tasks.map(\.name))
    }

    public func ranking(_ view: ScoreView) -> Ranking {
        switch view {
        case .bestAttempt: bestAttemptRanking
        case .bestSubmission: bestSubmissionRanking
        }
    }

    public func frontier(_ view: ScoreView) -> CostFrontier {
        switch view {
        case .bestAttempt: bestAttemptFrontier
        case .bestSubmission: bestSubmissionFrontier
        }
    }

    /// Methods by Best Attempt AUP, then Best Submission AUP (both highest first), then name: the order of every
    /// summary, fixed by the numbers alone.
    public var methodsByAUP: [String] {
        Self.methods(of: table, byAUPIn: analysis)
    }

    static func methods(of table: ScoreTable, byAUPIn analysis: AUPAnalysis) -> [String] {
        table.methods.sorted { left, right in
            let a = (analysis.aup(left, .bestAttempt), analysis.aup(left, .bestSubmission))
            let b = (analysis.aup(right, .bestAttempt), analysis.aup(right, .bestSubmission))
            if a != b { return a > b }
            return left < right
        }
    }
}
