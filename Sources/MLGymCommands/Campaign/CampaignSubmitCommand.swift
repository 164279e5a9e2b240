import ArgumentParser
import Foundation
import MLGymCampaign
import MLGymClient
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
        // Each becomes an #SBATCH line of its own: nothing that could end the line or start another option.
        for (name, value) in [("--partition", partition), ("--account", account), ("--time", time)] {
            guard let value else { continue }
            let plain = !value.isEmpty && value.unicodeScalars.allSatisfy {
                ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "_.,:-".unicodeScalars.contains($0)
            }
            guard plain else { throw ValidationError("\(name) '\(value)' may hold only letters, digits and _ . , : -") }
        }
    }

    func run() throws {
        let specPath = URL(fileURLWithPath: file).standardizedFileURL.path
        var spec = try CampaignSpec.load(specPath)
        if let results { spec.results = URL(fileURLWithPath: results).standardizedFileURL.path }
        // sbatch reads #SBATCH lines word by word and expands % in --output.
        guard !spec.results.contains(where: { $0.isWhitespace || $0 == "%" }) else {
            throw MLGymError(.invalidArgument, "the results directory '\(spec.results)' may not hold spaces or '%' (Slurm reads it from the script)")
        }
        // What the nodes would find wrong, found here once: keys missing from this environment, unreadable
        // replay files (the elements run with this environment: sbatch exports it).
        for model in spec.models {
            _ = try CampaignRequest.make(spec, run: CampaignRun(index: 0, task: spec.tasks[0], model: model.name, seed: 0), costLimit: 0, campaignCostLimit: 0, gpus: "none")
        }
        // Task ids too, where this host has an mlgymd to ask (a login node may not).
        let local = APIClient()
        if (try? local.info()) != nil { try CampaignTasks.check(spec, against: local, runnableHere: false) }
        let directory = ResultsDirectory(spec.results)
        let scan = directory.scan(campaign: spec.name)
        for problem in scan.problems { FileHandle.standardError.write(Data("note: \(problem)\n".utf8)) }
        let finished = Set(scan.manifests.values.filter(\.isFinished).map(\.key))
        // Elements still queued or running are left alone, and keep the share they were given.
        var live: [Int: SlurmJobs.Element] = [:]
        do {
            live = try CampaignSlurm.jobs(name: "mlgym-" + spec.name, results: directory, accounting: false).elements.filter(\.value.isLive)
        } catch {
            // A dry run may be made where Slurm does not answer; a submission may not.
            guard dryRun else { throw error }
            FileHandle.standardError.write(Data("note: \(error.message); the share below assumes nothing is queued\n".utf8))
        }
        let todo = spec.runs.filter { !finished.contains($0.key) && live[$0.index] == nil }
        guard !todo.isEmpty else {
            print("nothing to submit: \(finished.count) of \(spec.runs.count) runs finished, \(live.count) queued or running")
            return
        }
        let share = try CostShare.perRun(spec.limits, spent: directory.spent() + reserved(for: Set(live.keys), in: directory), runs: todo.count)
        var options = SlurmScript.Options()
        options.partition = partition
        options.account = account
        options.time = time
        options.maxRunning = maxRunning
        options.daemon = daemon
        options.mlgymd = mlgymd
        options.daemonArguments = daemonArguments
        let digest = try CampaignBundles.digest(ofFile: specPath)
        let script = SlurmScript(
            spec: spec, specPath: directory.slurm + "/campaign-\(digest.prefix(16)).yaml",
            baseDirectory: URL(fileURLWithPath: specPath).deletingLastPathComponent().path, specDigest: digest, runs: todo,
            costShare: share, mlgymctl: mlgymctl ?? NodeDaemon.sibling("mlgymctl"), options: options)
        if dryRun {
            print(script.render(), terminator: "")
            return
        }
        try snapshot(specPath, to: script.specPath)
        let submission = try CampaignSlurm.submit(script, results: directory)
        let spend = share > 0 ? String(format: ", $%.4f each", share) : ""
        print("submitted array job \(submission.jobID): \(todo.count) run\(todo.count == 1 ? "" : "s") (indices \(SlurmScript.arrayList(todo.map(\.index))))\(spend)")
        if !finished.isEmpty || !live.isEmpty {
            print("left out: \(finished.count) finished, \(live.count) queued or running")
        }
        print("follow it with: mlgymctl campaign status \(file)")
    }

    /// What elements still queued or running may yet spend: the whole share each was given (what they spent
    /// so far is counted again in the attempts, so this errs on the side of the budget).
    private func reserved(for live: Set<Int>, in directory: ResultsDirectory) -> Double {
        var shares: [Int: Double] = [:]
        for submission in CampaignSlurm.submissions(directory) {
            for index in submission.runIndices ?? [] where live.contains(index) { shares[index] = submission.costShare }
        }
        return shares.values.reduce(0, +)
    }

    /// The campaign file as submitted, kept beside the submissions: the elements read this copy.
    private func snapshot(_ source: String, to destination: String) throws(MLGymError) {
        guard !FileManager.default.fileExists(atPath: destination) else { return }
        do {
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(contentsOf: URL(fileURLWithPath: source)).write(to: URL(fileURLWithPath: destination), options: .atomic)
        } catch {
            throw MLGymError(.system, "cannot copy the campaign file to \(destination): \((error as NSError).localizedDescription)")
        }
    }
}
