import Foundation
import MLGymCore

/// The sbatch script of a campaign submission: a job array with one element per run to do, each asking Slurm
/// for one run's resources and running `mlgymctl campaign element` on its node.
public struct SlurmScript: Sendable {
    public struct Options: Sendable {
        public var partition: String?
        public var account: String?
        /// Slurm's `--time` as given; nil derives it from the campaign's time limit.
        public var time: String?
        /// Elements running at once (`--array=…%K`); nil for as many as Slurm allows.
        public var maxRunning: Int?
        /// `auto`, `system` or `private` (`campaign element --daemon`).
        public var daemon = "auto"
        /// mlgymd, for elements that start their own (default: beside mlgymctl).
        public var mlgymd: String?
        /// Extra arguments of a private mlgymd (`--tasks-dir`, `--rootfs`, …).
        public var daemonArguments: [String] = []
        public init() {}
    }

    /// Memory asked of Slurm on top of the session's limit: the node-local mlgymd and the tools around the run.
    public static let daemonHeadroomMiB: UInt64 = 1024
    /// Time asked of Slurm on top of the run's time limit: daemon start, session set-up, final evaluation.
    public static let setupMargin: Double = 15 * 60

    public let spec: CampaignSpec
    /// The campaign file the elements read: a copy made at submission, so editing the original does not
    /// break elements still waiting.
    public let specPath: String
    /// The original file's directory, against which the copy's relative paths are read.
    public let baseDirectory: String
    public let specDigest: String
    public let runs: [CampaignRun]
    /// Each element's dollar limit (`CostShare`); 0 for none.
    public let costShare: Double
    public let mlgymctl: String
    public let options: Options

    public init(
        spec: CampaignSpec, specPath: String, baseDirectory: String, specDigest: String, runs: [CampaignRun], costShare: Double,
        mlgymctl: String, options: Options
    ) {
        self.spec = spec
        self.specPath = specPath
        self.baseDirectory = baseDirectory
        self.specDigest = specDigest
        self.runs = runs
        self.costShare = costShare
        self.mlgymctl = mlgymctl
        self.options = options
    }

    public var jobName: String { "mlgym-" + spec.name }

    public func render() -> String {
        var lines = [
            "#!/bin/bash",
            "# mlgym campaign \(spec.name): \(runs.count) of its \(spec.runs.count) runs, one per array element.",
            "# Written by mlgymctl campaign submit; each element runs `mlgymctl campaign element` and leaves a bundle in",
            "# \(spec.results).",
            "#SBATCH --job-name=\(jobName)",
            "#SBATCH --array=\(Self.arrayList(runs.map(\.index)))\(options.maxRunning.map { "%\($0)" } ?? "")",
            "#SBATCH --nodes=1",
            "#SBATCH --ntasks=1",
            // A requeued element would start its run again with the same job id and a fresh share of the budget.
            "#SBATCH --no-requeue",
        ]
        if let cpus = spec.resources.cpus { lines.append("#SBATCH --cpus-per-task=\(Int(cpus.rounded(.up)))") }
        if let memory = spec.resources.memory, let bytes = ByteCount.parse(memory) {
            lines.append("#SBATCH --mem=\((bytes >> 20) + Self.daemonHeadroomMiB)M")
        }
        if spec.resources.gpus > 0 { lines.append("#SBATCH --gres=gpu:\(spec.resources.gpus)") }
        if let time = options.time {
            lines.append("#SBATCH --time=\(time)")
        } else if spec.limits.time > 0 {
            lines.append("#SBATCH --time=\(DurationText.slurm(spec.limits.time + Self.setupMargin))")
        }
        if let partition = options.partition { lines.append("#SBATCH --partition=\(partition)") }
        if let account = options.account { lines.append("#SBATCH --account=\(account)") }
        lines.append("#SBATCH --output=\(spec.results)/.slurm/%A_%a.out")
        lines.append("")
        var command = [
            ShellQuote.quote(mlgymctl), "campaign", "element", ShellQuote.quote(specPath), "--base-dir", ShellQuote.quote(baseDirectory),
            "--index", "\"$SLURM_ARRAY_TASK_ID\"",
            "--results", ShellQuote.quote(spec.results), "--spec-digest", specDigest,
            "--cost-share", String(format: "%.4f", costShare), "--daemon", options.daemon,
        ]
        if let mlgymd = options.mlgymd { command += ["--mlgymd", ShellQuote.quote(mlgymd)] }
        for argument in options.daemonArguments { command.append(ShellQuote.quote("--mlgymd-arg=" + argument)) }
        lines.append("exec " + command.joined(separator: " "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Slurm's array syntax with runs of consecutive indices folded: [0,1,2,5,7,8] → "0-2,5,7-8".
    public static func arrayList(_ indices: [Int]) -> String {
        let sorted = Array(Set(indices)).sorted()
        var parts: [String] = []
        var first = 0
        while first < sorted.count {
            var last = first
            while last + 1 < sorted.count, sorted[last + 1] == sorted[last] + 1 { last += 1 }
            parts.append(first == last ? "\(sorted[first])" : "\(sorted[first])-\(sorted[last])")
            first = last + 1
        }
        return parts.joined(separator: ",")
    }
}
