import Foundation
public import MLGymCore

/// Step 1 of MLGym's AUP: each method's performance ratio on one task in one view (1 is the best; larger is worse).
///
/// MLGym's rules (scripts/evaluation/get_ranks.py): a score is infeasible when it is negative or worse than the
/// baseline's (equal is feasible), so the baseline itself is infeasible only when negative. Feasible ratios are
/// best/s on max tasks and s/best on min tasks. Infeasible and missing methods get the task's worst feasible ratio
/// × (1 + ε): just beyond the worst feasible method, so they still count once τ is large enough.
///
/// Cases MLGym leaves unhandled (it divides by zero or takes the max of nothing), decided here and in
/// docs/scoring.md:
/// - a feasible score whose ratio to the best is infinite (0 on a max task while the best is positive; a positive
///   score on a min task whose best is 0) is treated as infeasible: no finite ratio describes it;
/// - a feasible score equal to the best has ratio 1, even when both are 0;
/// - a task where no method is feasible takes 1 as its worst feasible ratio, so every method gets 1 + ε there:
///   the task stays in the denominator and favours no one.
public struct TaskRatios: Sendable, Equatable {
    /// Why a method has the ratio it has.
    public enum Standing: String, Sendable, Codable, Hashable {
        case feasible
        /// The score is below zero.
        case negative
        /// The score is worse than the baseline's.
        case worseThanBaseline = "worse_than_baseline"
        /// The score's ratio to the best is infinite (a zero among positive scores, or the reverse on a min task).
        case infiniteRatio = "infinite_ratio"
        /// The method has no valid score on the task.
        case missing
    }

    public let task: String
    public let direction: MetricDirection
    /// Every method's ratio, ≥ 1.
    public let ratios: [String: Double]
    public let standings: [String: Standing]
    /// The best feasible score, nil when no method is feasible.
    public let best: Double?
    /// The largest feasible ratio (1 when no method is feasible).
    public let worstRatio: Double
    /// The ratio infeasible and missing methods get: `worstRatio × (1 + ε)`.
    public let penaltyRatio: Double
    /// MLGym's per-task τ candidate, `ceil(worstRatio × (1 + ε))`; the largest over tasks and views sets max τ.
    public let tauCandidate: Double

    /// Computes the ratios of `methods` on `task` in `view`.
    public init(task: ScoreTable.Task, view: ScoreView, methods: [String], baseline: String, epsilon: Double) {
        let scores = task.scores(view)
        let direction = task.direction
        var standings: [String: Standing] = [:]
        let baselineScore = scores[baseline]
        for method in methods {
            guard let score = scores[method] else {
                standings[method] = .missing
                continue
            }
            if score < 0 {
                standings[method] = .negative
            } else if let baselineScore, direction.isBetter(baselineScore, than: score) {
                standings[method] = .worseThanBaseline
            } else {
                standings[method] = .feasible
            }
        }
        let feasibleScores = methods.compactMap { standings[$0] == .feasible ? scores[$0] : nil }
        let best = direction.best(of: feasibleScores)

        var ratios: [String: Double] = [:]
        if let best {
            for method in methods where standings[method] == .feasible {
                guard let score = scores[method] else { continue }
                let ratio = score == best ? 1 : (direction == .max ? best / score : score / best)
                if ratio.isFinite {
                    ratios[method] = ratio
                } else {
                    standings[method] = .infiniteRatio
                }
            }
        }
        // The same value as MLGym's best/worst (max) or worst/best (min): the worst feasible score has the largest ratio.
        let worstRatio = ratios.values.max() ?? 1
        let penaltyRatio = worstRatio * (1 + epsilon)
        for method in methods where ratios[method] == nil {
            ratios[method] = penaltyRatio
        }

        self.task = task.name
        self.direction = direction
        self.ratios = ratios
        self.standings = standings
        self.best = standings.values.contains(.feasible) ? best : nil
        self.worstRatio = worstRatio
        self.penaltyRatio = penaltyRatio
        self.tauCandidate = penaltyRatio.rounded(.up)
    }
}
