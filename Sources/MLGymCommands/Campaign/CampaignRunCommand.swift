import ArgumentParser
import Foundation
import Glibc
import MLGymAPI
import MLGymCampaign
import MLGymClient
import MLGymCore
import MLGymScore

/// `mlgymctl campaign run FILE`: every (task, model, seed) of a campaign through the local mlgymd, K at a time,
/// with one progress view, a bundle per finished run, and the report at the end.
struct CampaignRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a campaign on this host: every task × model × seed, K at a time, then report.",
        discussion: """
            The runs live in mlgymd (campaign = the file's name), so this command can be stopped and run again: \
            finished runs are kept, interrupted ones resume from their last step, failed ones start again. The \
            campaign budget (limits.campaign_cost) stops new runs once spent, and mlgymd stops runs in flight at \
            it. Each finished run also leaves a bundle in the results directory, as a Slurm element does, so \
            `mlgymctl report --bundles DIR` merges local and cluster runs. Ctrl-C stops the runs in flight \
            (they resume next time) and exits 130.

            Example:
              mlgymctl campaign run tasks/demos/games-campaign.yaml --parallel 2
            """)

    @OptionGroup var client: ClientOptions
    @Argument(help: ArgumentHelp("The campaign file.", valueName: "file.yaml"))
    var file: String
    @Option(help: "Runs at once.")
    var parallel = 1
    @Option(help: ArgumentHelp("The results directory for bundles (default: the file's `results`).", valueName: "dir"))
    var results: String?
    @Option(help: "Report format at the end: md, csv, json, svg or html.")
    var format: ReportFormat = .md

    func validate() throws {
        guard (1...64).contains(parallel) else { throw ValidationError("--parallel \(parallel) must be 1 to 64") }
    }

    func run() async throws {
        var spec = try CampaignSpec.load(file)
        if let results { spec.results = URL(fileURLWithPath: results).standardizedFileURL.path }
        let api = client.client
        let info = try api.info()
        try CampaignTasks.check(spec, against: api, runnableHere: true)
        var pool = GPUPool(total: info.gpus, perRun: spec.resources.gpus)
        guard pool.fits(parallel: 1) else {
            throw MLGymError(.invalidArgument, "each run asks for \(spec.resources.gpus) GPUs and this host has \(info.gpus)")
        }
        let campaign = LocalCampaign(spec: spec, digest: try CampaignBundles.digest(ofFile: file), api: api)
        try campaign.adopt(pool: &pool)
        // Woken by changes of the caller's runs (GET /v1/events) instead of looking every half second.
        let changes = RunChangeWaiter(socketPath: client.socketPath, runs: nil)
        let interrupted = SignalFlag { changes.wakeUp() }
        let display = RunProgressDisplay(terminal: isatty(STDERR_FILENO) == 1)
        var stopsSent = false
        while true {
            try campaign.refresh(pool: &pool)
            if interrupted.isSet {
                if !stopsSent {
                    stopsSent = true
                    FileHandle.standardError.write(Data("\nstopping \(campaign.active.count) runs (run the command again to resume them)…\n".utf8))
                    campaign.stopActive()
                }
            } else {
                try campaign.startMore(parallel: parallel, pool: &pool)
            }
            display.showLines(campaign.progressLines(parallel: parallel))
            if campaign.active.isEmpty, interrupted.isSet || campaign.waiting.isEmpty { break }
            try await changes.next()
        }
        display.finish()
        if interrupted.isSet { throw ExitCode(130) }
        print(RunTable.render(campaign.latestRuns))
        let records = RunRecords.records(campaign.latestRuns.filter { $0.state == "finished" })
        if records.isEmpty {
            print("no run finished, so there is nothing to report")
        } else {
            do {
                print(format.render(try ScoreReport.ofRuns(records)))
            } catch {
                print("no report: \(error.message)")
            }
        }
        for note in campaign.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        if campaign.failedCount > 0 { throw ExitCode(1) }
    }
}
