import ArgumentParser
import Foundation
import MLGymCampaign
import MLGymCore

/// `mlgymctl campaign status FILE`: each run's state from the bundles, squeue and sacct.
struct CampaignStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show where each run of a campaign stands (bundles, Slurm's queue and accounting).",
        discussion: """
            finished: its bundle is finished. running, pending: its Slurm element is. failed: its bundle records a \
            failed or interrupted run. missing: no bundle and nothing queued (never submitted, or its element was \
            killed). `mlgymctl campaign submit` submits the failed and missing ones again. Without Slurm's commands \
            on this host only the bundles are read.
            """)

    @Argument(help: ArgumentHelp("The campaign file.", valueName: "file.yaml"))
    var file: String
    @Option(help: ArgumentHelp("The results directory (default: the file's `results`).", valueName: "dir"))
    var results: String?
    @Flag(help: "Print the runs as JSON.")
    var json = false

    func run() throws {
        let spec = try CampaignSpec.load(file)
        let directory = ResultsDirectory(results.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? spec.results)
        let scan = directory.scan(campaign: spec.name)
        let (records, problems) = directory.finishedRecords(campaign: spec.name)
        for problem in Set(scan.problems + problems).sorted() { FileHandle.standardError.write(Data("note: \(problem)\n".utf8)) }
        var jobs = SlurmJobs()
        var note: String?
        if HostTool.find("squeue") != nil {
            do {
                jobs = try CampaignSlurm.jobs(name: "mlgym-" + spec.name, results: directory, accounting: true)
            } catch {
                note = "Slurm did not answer (\(error.message)); showing the bundles only"
            }
        } else {
            note = "no squeue on this host; showing the bundles only"
        }
        let status = CampaignStatus(spec: spec, manifests: scan.manifests, records: records, attempts: directory.attemptRecords(), jobs: jobs)
        if json {
            let runs = status.rows.map { row -> [String: Any] in
                var object: [String: Any] = [
                    "index": row.run.index, "key": row.run.key, "task": row.run.task, "model": row.run.model, "seed": row.run.seed,
                    "state": row.state.rawValue, "detail": row.detail, "cost": row.cost,
                ]
                if let score = row.score { object["score"] = score }
                return object
            }
            let object: [String: Any] = ["campaign": spec.name, "spent": status.spent, "runs": runs]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let rows = status.rows.map { row in
            ["\(row.run.index)", row.run.task, row.run.model, "\(row.run.seed)", row.state.rawValue, row.detail,
             row.score.map { String(format: "%.6g", $0) } ?? "-", String(format: "$%.4f", row.cost)]
        }
        print(Output.table(["#", "TASK", "MODEL", "SEED", "STATE", "DETAIL", "SCORE", "COST"], rows))
        print(status.summary(budget: spec.limits.campaignCost))
        if let note { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
    }
}
