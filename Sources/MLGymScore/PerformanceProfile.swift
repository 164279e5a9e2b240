import Foundation

/// Step 3 of MLGym's AUP for one view: ρₘ(τ), the fraction of tasks on which method m's log10 ratio is ≤ τ,
/// sampled on the grid, and the area under it.
public struct PerformanceProfile: Sendable, Equatable {
    public let view: ScoreView
    /// Per-task ratios, in the table's task order.
    public let tasks: [TaskRatios]
    /// The grid of log10 τ values, from 0 to max τ.
    public let grid: [Double]
    /// ρ at every grid point, per method.
    public let curves: [String: [Double]]
    /// The unrounded area under each method's curve.
    public let areas: [String: Double]

    /// Samples every method's profile on `grid` and integrates it.
    public init(view: ScoreView, tasks: [TaskRatios], methods: [String], grid: [Double]) {
        var curves: [String: [Double]] = [:]
        var areas: [String: Double] = [:]
        let taskCount = Double(tasks.count)
        for method in methods {
            let logRatios = tasks.map { log10($0.ratios[method] ?? .infinity) }
            let curve = grid.map { tau in
                Double(logRatios.count { $0 <= tau }) / taskCount
            }
            curves[method] = curve
            areas[method] = AUP.area(profile: curve, grid: grid)
        }
        self.view = view
        self.tasks = tasks
        self.grid = grid
        self.curves = curves
        self.areas = areas
    }

    /// A method's AUP rounded to 3 decimals, as MLGym reports it.
    public func aup(_ method: String) -> Double {
        AUP.rounded(areas[method] ?? 0)
    }
}
