import Foundation
import MLGymCore

/// How a campaign's budget is split over runs that run apart (Slurm elements on different nodes), so that no
/// node can spend past its part without talking to the others.
///
/// At each submission: what is left = the campaign's budget − what every earlier attempt spent (finished,
/// failed or killed: each keeps its spending in the results directory), split evenly over the runs submitted
/// now, and never more than the per-run limit. Each element's mlgymd holds its run to that share, as it holds
/// any run to its cost limit. Runs submitted later share what earlier ones left.
public enum CostShare {
    /// Dollars each of `runs` runs may spend; 0 means no limit (the campaign has none, nor the runs).
    public static func perRun(_ limits: CampaignSpec.Limits, spent: Double, runs: Int) throws(MLGymError) -> Double {
        guard limits.campaignCost > 0, runs > 0 else { return limits.runCost }
        let left = limits.campaignCost - spent
        guard left > 0.0001 else {
            throw MLGymError(
                .invalidState,
                String(format: "the campaign has spent $%.4f of its $%.2f budget; raise limits.campaign_cost to run more", spent, limits.campaignCost))
        }
        // Down to a hundredth of a cent, so the shares never add up to more than what is left.
        let share = (left / Double(runs) * 10_000).rounded(.down) / 10_000
        guard share > 0 else {
            throw MLGymError(.invalidState, String(format: "$%.4f left for %d runs is less than a hundredth of a cent each", left, runs))
        }
        return limits.runCost > 0 ? min(limits.runCost, share) : share
    }
}
