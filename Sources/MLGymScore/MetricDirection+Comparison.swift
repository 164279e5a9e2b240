public import MLGymCore

/// Comparisons that depend on the direction of a metric, so no caller writes `direction == .max ? a > b : a < b`.
extension MetricDirection {
    /// True when `score` is strictly better than `other`.
    public func isBetter(_ score: Double, than other: Double) -> Bool {
        switch self {
        case .max: score > other
        case .min: score < other
        }
    }

    /// The best of `scores`, nil when there are none.
    public func best(of scores: some Sequence<Double>) -> Double? {
        switch self {
        case .max: scores.max()
        case .min: scores.min()
        }
    }

    /// The worst of `scores`, nil when there are none.
    public func worst(of scores: some Sequence<Double>) -> Double? {
        switch self {
        case .max: scores.min()
        case .min: scores.max()
        }
    }
}
