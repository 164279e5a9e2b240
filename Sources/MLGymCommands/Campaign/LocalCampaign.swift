import Dispatch
import Foundation
import MLGymAPI
import MLGymCampaign
import MLGymClient
import MLGymCore

/// The scheduler of `mlgymctl campaign run`: which runs of the campaign are done, in flight or waiting, from
/// mlgymd's own records of the campaign (so a second invocation picks up where the first left off).
final class LocalCampaign {
    struct Active {
        var run: CampaignRun
        var id: String
        var gpus: String
    }

    let spec: CampaignSpec
    let digest: String
    let api: APIClient
    let results: ResultsDirectory
    private let runsByKey: [String: CampaignRun]
    /// The newest mlgymd run of each campaign run, by key.
    private(set) var latest: [String: RunInfo] = [:]
    private(set) var active: [String: Active] = [:]
    /// Runs to start (or resume), in the campaign's order.
    private(set) var waiting: [CampaignRun] = []
    private(set) var failedCount = 0
    private(set) var notes: [String] = []
    /// Dollars every run of the campaign has spent (earlier attempts included).
    private(set) var spent: Double = 0
    private var durations: [Double] = []
    private var skipped = 0
    /// The run each bundle in the results directory holds, by key.
    private var bundles: [String: String] = [:]

    init(spec: CampaignSpec, digest: String, api: APIClient) {
        self.spec = spec
        self.digest = digest
        self.api = api
        results = ResultsDirectory(spec.results)
        runsByKey = Dictionary(uniqueKeysWithValues: spec.runs.map { ($0.key, $0) })
    }

    /// Takes over what mlgymd already has of the campaign: finished runs are kept, runs still in flight are
    /// followed, interrupted and failed ones wait for their turn again.
    func adopt(pool: inout GPUPool) throws(MLGymError) {
        let scan = results.scan(campaign: spec.name)
        notes += scan.problems
        bundles = scan.manifests.mapValues(\.run)
        try readRuns()
        for run in spec.runs {
            guard let info = latest[run.key] else {
                waiting.append(run)
                continue
            }
            switch info.state {
            case "finished": keep(run, info)
            case "queued", "running":
                // Its GPUs stay its own until it ends.
                let gpus = pool.perRun > 0 ? info.gpus ?? "none" : "none"
                pool.reserve(gpus)
                active[run.key] = Active(run: run, id: info.id, gpus: gpus)
            default: waiting.append(run)
            }
        }
    }

    /// Reads the runs' progress and settles the ones that ended.
    func refresh(pool: inout GPUPool) throws(MLGymError) {
        try readRuns()
        for (key, entry) in active {
            guard let info = latest[key], !info.isActive else { continue }
            active[key] = nil
            pool.give(entry.gpus)
            switch info.state {
            case "finished":
                keep(entry.run, info, gpus: entry.gpus)
                if let started = info.startedAt, let ended = info.endedAt { durations.append(ended.timeIntervalSince(started)) }
            case "interrupted":
                // Stopped by someone else, or mlgymd restarted: it resumes on the next invocation.
                notes.append("\(key) was interrupted (\(info.message ?? "stopped")); run the command again to resume it")
            default:
                failedCount += 1
                notes.append("\(key) failed: \(info.message ?? info.state)")
            }
        }
    }

    /// Starts waiting runs while fewer than `parallel` are in flight, GPUs are free and budget is left.
    func startMore(parallel: Int, pool: inout GPUPool) throws(MLGymError) {
        while active.count < parallel, let run = waiting.first {
            let budget = spec.limits.campaignCost
            if budget > 0, spent >= budget {
                skipped += waiting.count
                let count = waiting.count == 1 ? "1 run" : "\(waiting.count) runs"
                notes.append(String(format: "the campaign spent $%.4f of its $%.2f: ", spent, budget) + "\(count) not started")
                waiting.removeAll()
                return
            }
            guard let gpus = pool.take() else { return }
            waiting.removeFirst()
            do {
                let id: String
                if let previous = latest[run.key], previous.state == "interrupted", let model = spec.model(named: run.model) {
                    id = try api.resumeRun(previous.id, apiKey: try CampaignRequest.key(for: model), gpus: gpus).id
                } else {
                    let request = try CampaignRequest.make(
                        spec, run: run, costLimit: spec.limits.runCost, campaignCostLimit: budget, gpus: gpus)
                    id = try api.startRuns(request).runs[0].id
                }
                active[run.key] = Active(run: run, id: id, gpus: gpus)
            } catch {
                pool.give(gpus)
                failedCount += 1
                notes.append("\(run.key) could not start: \(error.message)")
            }
        }
    }

    /// Ctrl-C: stops every run in flight (they end `interrupted` and resume next time).
    func stopActive() {
        let ids = active.values.map(\.id)
        let api = self.api
        DispatchQueue.concurrentPerform(iterations: ids.count) { index in _ = try? api.stopRun(ids[index]) }
    }

    /// The newest run of every campaign run that has one, in the campaign's order.
    var latestRuns: [RunInfo] {
        spec.runs.compactMap { latest[$0.key] }
    }

    /// The progress view: a line for the campaign, then one per run in flight.
    func progressLines(parallel: Int) -> [(key: String, text: String)] {
        let done = latestRuns.filter { $0.state == "finished" }.count
        var parts = [
            "campaign \(spec.name): \(spec.runs.count) runs", "\(done) done", "\(active.count) running", "\(failedCount) failed",
            "\(waiting.count) waiting",
        ]
        if skipped > 0 { parts.append("\(skipped) skipped (budget)") }
        let budget = spec.limits.campaignCost
        parts.append(budget > 0 ? String(format: "$%.4f spent of $%.2f", spent, budget) : String(format: "$%.4f spent", spent))
        if !durations.isEmpty, !(active.isEmpty && waiting.isEmpty) {
            let mean = durations.reduce(0, +) / Double(durations.count)
            let rounds = (Double(waiting.count + active.count) / Double(parallel)).rounded(.up)
            parts.append("about \(DurationText.short(mean * rounds)) left")
        }
        var lines = [(key: "campaign", text: parts.joined(separator: " · "))]
        for run in spec.runs {
            guard let entry = active[run.key], let info = latest[run.key], info.id == entry.id else { continue }
            lines.append((key: run.key, text: "  \(run.task) · \(run.model) · " + RunProgressDisplay.line(info)))
        }
        return lines
    }

    // MARK: Helpers

    private func readRuns() throws(MLGymError) {
        let runs = try api.runs(campaign: spec.name).runs.sorted { $0.createdAt < $1.createdAt }
        spent = runs.reduce(0) { $0 + $1.cost }
        for info in runs {
            let key = CampaignRun(index: 0, task: info.task, model: info.method, seed: info.seed).key
            if runsByKey[key] != nil { latest[key] = info }
        }
    }

    /// A finished run's bundle and spending, written once. A failure to write them is a note, not the end of
    /// the campaign: the run is finished in mlgymd either way, and the next invocation tries again.
    private func keep(_ run: CampaignRun, _ info: RunInfo, gpus: String? = nil) {
        let host = ProcessInfo.processInfo.hostName
        do {
            try results.record(AttemptRecord(key: run.key, attempt: "local-\(info.id)", host: host, cost: info.cost, state: info.state))
            guard bundles[run.key] != info.id else { return }
            let context = CampaignBundles.Context(
                spec: spec, specDigest: digest, results: results, daemon: "system", costLimit: spec.limits.runCost,
                gpus: gpus ?? info.gpus ?? "none", daemonLog: nil)
            try CampaignBundles.write(run, info: info, api: api, context: context)
            bundles[run.key] = info.id
        } catch {
            notes.append("\(run.key): its bundle could not be written (\(error.message)); running the command again retries")
        }
    }
}
