/// AUP of every method in both views, with max τ shared between the views as MLGym computes it.
public struct AUPAnalysis: Sendable, Equatable {
    /// The upper end of the τ grid (log10), shared by both views.
    public let maxTau: Double
    public let epsilon: Double
    public let bestAttempt: PerformanceProfile
    public let bestSubmission: PerformanceProfile

    /// Computes ratios for both views, max τ from the τ candidates of both, then both profiles on one grid.
    ///
    /// - Parameter maxTau: a fixed upper end of the grid instead of MLGym's data-derived one. MLGym's max τ depends
    ///   on the scores, so AUPs of two different tables are on different scales, and improving a score can even
    ///   lower an AUP by shrinking max τ; fixing it puts tables on one scale.
    public init(
        table: ScoreTable, epsilon: Double = AUP.epsilon, gridPoints: Int = AUP.gridPoints, maxTau fixedMaxTau: Double? = nil
    ) {
        func ratios(_ view: ScoreView) -> [TaskRatios] {
            table.tasks.map {
                TaskRatios(task: $0, view: view, methods: table.methods, baseline: table.baseline, epsilon: epsilon)
            }
        }
        let attempt = ratios(.bestAttempt)
        let submission = ratios(.bestSubmission)
        let maxTau = fixedMaxTau ?? AUP.maxTau(tauCandidates: (attempt + submission).map(\.tauCandidate))
        let grid = AUP.grid(maxTau: maxTau, points: gridPoints)
        self.maxTau = maxTau
        self.epsilon = epsilon
        self.bestAttempt = PerformanceProfile(view: .bestAttempt, tasks: attempt, methods: table.methods, grid: grid)
        self.bestSubmission = PerformanceProfile(
            view: .bestSubmission, tasks: submission, methods: table.methods, grid: grid)
    }

    public func profile(_ view: ScoreView) -> PerformanceProfile {
        switch view {
        case .bestAttempt: bestAttempt
        case .bestSubmission: bestSubmission
        }
    }

    /// A method's AUP in `view`, rounded to 3 decimals.
    public func aup(_ method: String, _ view: ScoreView) -> Double {
        profile(view).aup(method)
    }
}
