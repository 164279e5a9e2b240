import ArgumentParser
import Foundation
import MLGymCampaign
import MLGymCore

/// `mlgymctl campaign submit FILE --slurm`: the campaign's runs that have no finished bundle, as one Slurm job
/// array.
struct CampaignSubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Submit a campaign's unfinished runs to Slurm as a job array.",
        discussion: """
            One array element per run without a finished bundle and not already queued or running; each asks Slurm \
            for one run's resources (cpus, memory + 1 GiB for mlgymd, gres gpu) and runs `mlgymctl campaign \
            element` on its node. The campaign's budget left is split evenly over the runs submitted (see \
            docs/hpc.md). Submitting again later submits only what is still missing. The campaign file, this \
            mlgymctl and the results directory must be on a filesystem the nodes share.

            Examples:
              mlgymctl campaign submit nightly.yaml --slurm --partition gpu --time 4:00:00 --dry-run
              mlgymctl campaign submit nightly.yaml --slurm --account lab --max-running 50
            """)

    @Argument(help: ArgumentHelp("The campaign file.", valueName: "file.yaml"))
    var file: String
    @Flag(help: "Submit to Slurm (the only scheduler mlgym hands work to).")
    var slurm = false
    @Option(help: "Slurm partition.")
    var partition: String?
    @Option(help: ArgumentHelp("Slurm time limit per element (default: limits.time + 15 min, else the partition's).", valueName: "time"))
    var time: String?
    @Option(help: "Slurm account.")
    var account: String?
    @Option(name: .customLong("max-running"), help: "Elements running at once (sbatch --array=…%K).")
    var maxRunning: Int?
    @Option(help: ArgumentHelp("The results directory (default: the file's `results`).", valueName: "dir"))
    var results: String?
    @Option(help: ArgumentHelp("How elements find mlgymd: auto (the node's, else a private one), system or private.", valueName: "mode"))
    var daemon: String = "auto"
    @Option(help: ArgumentHelp("mlgymctl as the nodes see it (default: this one).", valueName: "path"))
    var mlgymctl: String?
    @Option(help: ArgumentHelp("mlgymd for private daemons (default: beside mlgymctl).", valueName: "path"))
    var mlgymd: String?
    @Option(name: .customLong("mlgymd-arg"), parsing: .unconditionalSingleValue, help: ArgumentHelp("An argument of private daemons (--tasks-dir, --rootfs, …); repeat for more.", valueName: "arg"))
    var daemonArguments: [String] = []
    @Flag(name: .customLong("dry-run"), help: "Print the sbatch script; submit nothing.")
    var dryRun = false

    func validate() throws {
        guard slurm else { throw ValidationError("give --slurm (campaigns are submitted to Slurm; `mlgymctl campaign run` runs one on this host)") }
        guard NodeDaemon.Mode(rawValue: daemon) != nil else { throw ValidationError("--daemon \(daemon) must be auto, system or private") }
        if let maxRunning, maxRunning < 1 { throw ValidationError("--max-running must be at least 1") }
    }

    func run() throws {
        var spec = try CampaignSpec.load(file)
        if let results { spec.results = URL(fileURLWithPath: results).standardizedFileURL.path }
        // sbatch reads #SBATCH lines word by word and expands % in --output.
        guard !spec.results.contains(where: { $0.isWhitespace || $0 == "%" }) else {
            throw MLGymError(.invalidArgument, "the results directory '\(spec.results)' may not hold spaces or '%' (Slurm reads it from the script)")
        }
        let specPath = URL(fileURLWithPath: file).standardizedFileURL.path
        let digest = try CampaignBundles.digest(ofFile: specPath)
        let directory = ResultsDirectory(spec.results)
        let finished = Set(try directory.manifests().values.filter(\.isFinished).map(\.key))
        let live = dryRun ? [:] : try CampaignSlurm.jobs(name: "mlgym-" + spec.name, accounting: false).elements.filter(\.value.isLive)
        let todo = spec.runs.filter { !finished.contains($0.key) && live[$0.index] == nil }
        guard !todo.isEmpty else {
            print("nothing to submit: \(finished.count) of \(spec.runs.count) runs finished, \(live.count) queued or running")
            return
        }
        let share = try CostShare.perRun(spec.limits, spent: directory.spent(), runs: todo.count)
        var options = SlurmScript.Options()
        options.partition = partition
        options.account = account
        options.time = time
        options.maxRunning = maxRunning
        options.daemon = daemon
        options.mlgymd = mlgymd
        options.daemonArguments = daemonArguments
        let script = SlurmScript(
            spec: spec, specPath: specPath, specDigest: digest, runs: todo, costShare: share,
            mlgymctl: mlgymctl ?? NodeDaemon.sibling("mlgymctl"), options: options)
        if dryRun {
            print(script.render(), terminator: "")
            return
        }
        let submission = try CampaignSlurm.submit(script, results: directory)
        let spend = share > 0 ? String(format: ", $%.4f each", share) : ""
        print("submitted array job \(submission.jobID): \(todo.count) run\(todo.count == 1 ? "" : "s") (indices \(SlurmScript.arrayList(todo.map(\.index))))\(spend)")
        if !finished.isEmpty || !live.isEmpty {
            print("left out: \(finished.count) finished, \(live.count) queued or running")
        }
        print("follow it with: mlgymctl campaign status \(file)")
    }
}
