import Foundation
import MLGymCore

/// Where each run of a campaign stands, from its bundle, Slurm's view of its element, and its attempts'
/// spending: what `mlgymctl campaign status` shows.
public struct CampaignStatus: Sendable {
    public enum State: String, Sendable, CaseIterable {
        /// A finished bundle: done.
        case finished
        /// A bundle of a run that failed or was interrupted, and nothing live for it: a re-submission runs it.
        case failed
        case running
        case pending
        /// No bundle and nothing live: never submitted, or its element died without one (killed, timed out).
        case missing
    }

    public struct Row: Sendable {
        public var run: CampaignRun
        public var state: State
        /// Slurm's state, the exit status, or the node: the detail behind `state`.
        public var detail: String
        public var score: Double?
        public var cost: Double
    }

    public let rows: [Row]
    /// Dollars spent by every attempt.
    public let spent: Double

    public init(spec: CampaignSpec, manifests: [String: BundleManifest], records: [String: RunRecord], attempts: [AttemptRecord], jobs: SlurmJobs) {
        var spentByKey: [String: Double] = [:]
        for attempt in attempts { spentByKey[attempt.key, default: 0] += attempt.cost }
        rows = spec.runs.map { run in
            let manifest = manifests[run.key]
            let element = jobs.elements[run.index]
            let cost = spentByKey[run.key] ?? manifest?.cost ?? 0
            if let manifest, manifest.isFinished {
                let score = records[run.key].flatMap { record in record.evaluations.last { !$0.metrics.isEmpty }?.metrics[record.metric] }
                return Row(run: run, state: .finished, detail: manifest.exitStatus ?? "finished", score: score, cost: cost)
            }
            if let element, element.isLive {
                let state: State = element.state == "PENDING" ? .pending : .running
                let detail = state == .running ? "\(element.jobID) on \(element.nodes)" : element.jobID
                return Row(run: run, state: state, detail: detail, score: nil, cost: cost)
            }
            if let manifest {
                return Row(run: run, state: .failed, detail: manifest.message ?? manifest.state, score: nil, cost: cost)
            }
            let detail = element.map { "\($0.jobID) \($0.state.lowercased()) without a bundle" }
                ?? (spentByKey[run.key] != nil ? "an attempt ended without a bundle" : "not submitted")
            return Row(run: run, state: .missing, detail: detail, score: nil, cost: cost)
        }
        spent = attempts.reduce(0) { $0 + $1.cost }
    }

    public func count(_ state: State) -> Int {
        rows.filter { $0.state == state }.count
    }

    /// "4 runs: 3 finished, 1 running · $0.0000 spent of $10.00".
    public func summary(budget: Double) -> String {
        let parts = State.allCases.compactMap { state in count(state) > 0 ? "\(count(state)) \(state.rawValue)" : nil }
        let money = budget > 0 ? String(format: "$%.4f spent of $%.2f", spent, budget) : String(format: "$%.4f spent", spent)
        return "\(rows.count) runs: \(parts.joined(separator: ", ")) · \(money)"
    }
}
