import Foundation

/// Steps 2–4 of MLGym's AUP: the τ grid, the area under a performance profile, and rounding.
///
/// The numbers follow MLGym's published computation exactly (a 500-point grid from 0 to max τ in log10 space, both
/// ends included; a left Riemann sum; 3 decimals), because the point of the metric is comparability with the paper.
public enum AUP {
    /// MLGym's ε: infeasible methods sit 5% beyond the worst feasible one.
    public static let epsilon = 0.05
    /// MLGym's number of grid points.
    public static let gridPoints = 500

    /// max τ in log10 space: log10 of the largest τ candidate, rounded up to one decimal (1.2 for MLGym's v1 tables).
    public static func maxTau(tauCandidates: some Sequence<Double>) -> Double {
        let largest = tauCandidates.max() ?? 1
        return (log10(largest) * 10).rounded(.up) / 10
    }

    /// The grid `linspace(0, maxTau, points)` computed the way numpy does (i × step, the last point set to the end),
    /// so the Riemann sum adds the same floating-point numbers MLGym's does.
    public static func grid(maxTau: Double, points: Int = gridPoints) -> [Double] {
        guard points > 1 else { return [0] }
        let step = maxTau / Double(points - 1)
        var grid = (0..<points).map { Double($0) * step }
        grid[points - 1] = maxTau
        return grid
    }

    /// The left Riemann sum of a profile sampled on `grid`: Σ (τᵢ₊₁ − τᵢ) · ρ(τᵢ).
    public static func area(profile: [Double], grid: [Double]) -> Double {
        var sum = 0.0
        for index in 0..<(grid.count - 1) {
            sum += (grid[index + 1] - grid[index]) * profile[index]
        }
        return sum
    }

    /// Rounds to MLGym's 3 decimals.
    public static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}
