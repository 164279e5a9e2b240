import ArgumentParser
import Dispatch
import Foundation
import Glibc
import MLGymAPI
import MLGymCampaign
import MLGymClient
import MLGymCore

/// `mlgymctl campaign element`: one run of a campaign on this node, what each element of the sbatch script
/// runs. It finds or starts a node-local mlgymd, runs the run, keeps its spending in the results directory while
/// it runs, and leaves the run's bundle there at the end.
struct CampaignElementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "element", abstract: "Run one run of a campaign on this node and write its bundle (what Slurm's array elements run).",
        discussion: """
            The sbatch script of `mlgymctl campaign submit` runs this with the element's array index. It uses the \
            node's mlgymd when one answers on $MLGYM_SOCKET or /run/mlgym/mlgymd.sock (--daemon auto), else starts \
            one for this run alone in a private directory on node-local disk. SIGTERM (scancel, the time limit) \
            stops the run; no bundle is written then, and a re-submission runs it again.
            """)

    @Argument(help: ArgumentHelp("The campaign file (the copy made at submission).", valueName: "file.yaml"))
    var file: String
    @Option(name: .customLong("base-dir"), help: ArgumentHelp("The directory the file's relative paths are read against (default: the file's).", valueName: "dir"))
    var baseDirectory: String?
    @Option(help: "The run's index in the campaign (the array index).")
    var index: Int
    @Option(help: ArgumentHelp("The campaign's results directory (default: the file's `results`).", valueName: "dir"))
    var results: String?
    @Option(name: .customLong("spec-digest"), help: ArgumentHelp("SHA-256 of the campaign file at submission: a changed file is refused.", valueName: "hex"))
    var specDigest: String?
    @Option(name: .customLong("cost-share"), help: ArgumentHelp("Dollars this run may spend (its share of the campaign's budget); 0 for the file's per-run limit.", valueName: "usd"))
    var costShare: Double = 0
    @Option(help: ArgumentHelp("auto (the node's mlgymd, else a private one), system or private.", valueName: "mode"))
    var daemon: String = "auto"
    @Option(help: ArgumentHelp("mlgymd for a private daemon (default: beside mlgymctl).", valueName: "path"))
    var mlgymd: String?
    @Option(name: .customLong("mlgymd-arg"), parsing: .unconditionalSingleValue, help: ArgumentHelp("An argument of a private mlgymd (--tasks-dir, --rootfs, …); repeat for more.", valueName: "arg"))
    var daemonArguments: [String] = []

    func run() async throws {
        guard let mode = NodeDaemon.Mode(rawValue: daemon) else {
            throw ValidationError("--daemon \(daemon) must be auto, system or private")
        }
        let spec = try CampaignSpec.load(file, baseDirectory: baseDirectory)
        let digest = try CampaignBundles.digest(ofFile: file)
        if let specDigest, specDigest != digest {
            throw MLGymError(.invalidState, "\(file) changed since it was submitted; submit the campaign again (mlgymctl campaign submit)")
        }
        let runs = spec.runs
        guard runs.indices.contains(index) else {
            throw MLGymError(.invalidArgument, "--index \(index): the campaign has runs 0 to \(runs.count - 1)")
        }
        let run = runs[index]
        let directory = ResultsDirectory(results ?? spec.results)
        if case .success(let manifest?) = directory.manifest(of: run.key, campaign: spec.name), manifest.isFinished {
            print("\(run.key): finished already (run \(manifest.run) on \(manifest.host)); nothing to do")
            return
        }
        let limit = costShare > 0 ? costShare : spec.limits.runCost
        let environment = ProcessInfo.processInfo.environment
        guard let gpus = SlurmGPUs.selection(count: spec.resources.gpus, environment: environment) else {
            throw MLGymError(
                .invalidState,
                "the run asks for \(spec.resources.gpus) GPUs but the allocation names none (no SLURM_JOB_GPUS or SLURM_STEP_GPUS): submit with --gres=gpu:N (campaign submit does), or check the cluster's gres.conf")
        }
        let request = try CampaignRequest.make(spec, run: run, costLimit: limit, campaignCostLimit: 0, gpus: gpus)
        let node = try NodeDaemon.connect(mode, mlgymd: mlgymd, arguments: daemonArguments)
        defer { node.shutdown() }
        // A job requeued by hand keeps its id: the restart count keeps its attempts apart.
        let attempt = environment["SLURM_JOB_ID"].map { "job\($0)" + (environment["SLURM_RESTART_COUNT"].map { "-restart\($0)" } ?? "") }
            ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        let host = ProcessInfo.processInfo.hostName
        print("\(run.key): \(node.kind) mlgymd on \(host)" + (limit > 0 ? String(format: ", $%.4f to spend", limit) : ""))
        let api = node.client
        // Following before the run starts: a run that ends at once still wakes the loop below.
        let changes = RunChangeWaiter(socketPath: api.socketPath, runs: nil)
        // Caught only now: a private mlgymd must not inherit SIGTERM ignored.
        let terminated = SignalFlag(SIGTERM, exitOnSecond: false) { changes.wakeUp() }
        var info = try api.startRuns(request).runs[0]
        var recordedCost = -1.0
        while true {
            // scancel and Slurm's time limit send SIGTERM to the whole job, so the private mlgymd may be gone
            // already: what the run spent is known up to the last poll.
            if terminated.isSet {
                _ = try? api.stopRun(info.id)
                let last = (try? api.run(info.id)) ?? info
                try? directory.record(AttemptRecord(key: run.key, attempt: attempt, host: host, cost: last.cost, state: "interrupted"))
                FileHandle.standardError.write(Data("\(run.key): stopped by SIGTERM after \(last.steps) steps; no bundle written\n".utf8))
                node.shutdown()
                Glibc.exit(143)
            }
            if info.cost != recordedCost {
                try directory.record(AttemptRecord(key: run.key, attempt: attempt, host: host, cost: info.cost, state: "running"))
                recordedCost = info.cost
            }
            guard info.isActive else { break }
            try await changes.next()
            do {
                info = try api.run(info.id)
            } catch where terminated.isSet {
                continue
            } catch {
                try? directory.record(AttemptRecord(key: run.key, attempt: attempt, host: host, cost: info.cost, state: "lost"))
                throw MLGymError(.system, "\(run.key): lost mlgymd mid-run (\(error.message))\(node.log.map { "; its log ends: " + $0.suffix(1500) } ?? "")")
            }
        }
        try directory.record(AttemptRecord(key: run.key, attempt: attempt, host: host, cost: info.cost, state: info.state))
        let context = CampaignBundles.Context(
            spec: spec, specDigest: digest, results: directory, daemon: node.kind, costLimit: limit, gpus: gpus, daemonLog: node.log)
        try CampaignBundles.write(run, info: info, api: api, context: context)
        print("\(run.key): \(info.state) (\(info.exitStatus ?? "no exit status")), bundle in \(directory.bundlePath(run.key))")
        if info.state != "finished" {
            throw MLGymError(.system, "\(run.key): the run \(info.state)\(info.message.map { ": \($0)" } ?? "")")
        }
    }
}
