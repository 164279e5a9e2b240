/// The AUP-versus-cost Pareto front: the methods no other method beats on both AUP (higher) and cost (lower).
///
/// This is the question MLGym's cost figure answers ("Gemini is the best cost/performance"); the front makes the
/// answer explicit. Methods without a dollar cost (the baseline, published rows without prices) are left out.
public struct CostFrontier: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public let method: String
        public let dollarsPerRun: Double
        public let aup: Double
    }

    public let view: ScoreView
    /// Every method with a cost, cheapest first (ties by name).
    public let points: [Point]
    /// The methods on the front, cheapest first.
    public let front: [String]

    public init(costs: [String: MethodCost], analysis: AUPAnalysis, view: ScoreView) {
        let profile = analysis.profile(view)
        let points = costs.values.compactMap { cost -> Point? in
            guard let dollars = cost.dollarsPerRun, profile.areas[cost.method] != nil else { return nil }
            return Point(method: cost.method, dollarsPerRun: dollars, aup: profile.aup(cost.method))
        }.sorted { ($0.dollarsPerRun, $0.method) < ($1.dollarsPerRun, $1.method) }
        // A point is dominated when another is no more expensive, no worse, and strictly better in one of the two.
        self.front = points.filter { point in
            !points.contains { other in
                other.dollarsPerRun <= point.dollarsPerRun && other.aup >= point.aup
                    && (other.dollarsPerRun < point.dollarsPerRun || other.aup > point.aup)
            }
        }.map(\.method)
        self.points = points
        self.view = view
    }
}
