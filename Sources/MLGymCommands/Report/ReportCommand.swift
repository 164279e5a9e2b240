import ArgumentParser
import Foundation
import MLGymAPI
import MLGymCampaign
import MLGymClient
import MLGymCore
import MLGymScore

/// `mlgymctl report`: performance profiles, AUP, rankings and cost, from a scores table, run records, or both.
///
/// It works without a daemon: `--scores` takes a CSV of per-task Best Attempt / Best Submission scores (MLGym's
/// published tables, for instance) and `--runs` a JSON array of run records (what mlgymd's result bundles hold).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Score methods as MLGym does: performance profiles, AUP, Borda and mean rank, cost.",
        discussion: """
            Give --scores, --runs, --campaign, --bundles, or a combination. A scores CSV has the header \
            task,direction,method,best_attempt,best_submission (direction max or min; an empty cell means no valid \
            score). Runs are a JSON array of run records; their Best Attempt@k and Best Submission@k are computed and \
            put beside the scores table. See docs/scoring.md.

            Examples:
              mlgymctl report --scores docs/examples/mlgym-v1-scores.csv
              mlgymctl report --campaign nightly --format html --out nightly.html
              mlgymctl report --bundles /shared/mlgym/results/nightly --campaign nightly
              mlgymctl report --scores v1.csv --costs v1-costs.csv --format html --out report.html
            """
    )

    @Option(name: .long, help: ArgumentHelp("A scores table (CSV) to report on; - reads standard input.", valueName: "file.csv"))
    var scores: String?

    @Option(name: .long, help: ArgumentHelp("Run records (a JSON array) to score and show page by page.", valueName: "file.json"))
    var runs: String?

    @Option(name: .long, help: ArgumentHelp("Score the finished runs of this mlgymd campaign (mlgymctl run --campaign).", valueName: "name"))
    var campaign: String?

    @Option(name: .long, help: ArgumentHelp("A campaign's results directory: score its finished bundles; repeat to merge directories from other clusters.", valueName: "dir"))
    var bundles: [String] = []

    @OptionGroup var client: ClientOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Per-method costs (CSV: method,dollars_per_run[,tokens_sent_per_run,tokens_received_per_run,runs]); these override costs derived from --runs.",
            valueName: "file.csv"))
    var costs: String?

    @Option(name: .long, help: ArgumentHelp("The method that is the baseline.", valueName: "name"))
    var baseline: String = "baseline"

    @Option(
        name: .customLong("k"),
        help: ArgumentHelp("Use only the first K runs of each method on each task (Best Attempt@K); default all.", valueName: "K"))
    var runsPerTask: Int?

    @Option(
        name: .customLong("max-tau"),
        help: ArgumentHelp(
            "Fix max log10 τ (e.g. 1.2) instead of deriving it from the scores, to compare AUPs across reports.",
            valueName: "x"))
    var maxTau: Double?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How ties and missing scores rank: shared (equal scores share a place, missing methods share the last; independent of input order) or mlgym (MLGym's positions 1 to n: ties and missing methods keep the input's row order, as MLGym's published rank tables do).",
            valueName: "shared|mlgym"))
    var ranking: RankingRule = .shared

    @Option(name: .long, help: "Output format: md (tables), csv, json, svg (plots) or html (one browsable file).")
    var format: ReportFormat = .md

    @Option(name: .long, help: ArgumentHelp("Write the report here instead of standard output.", valueName: "file"))
    var out: String?

    init() {}

    func validate() throws {
        guard scores != nil || runs != nil || campaign != nil || !bundles.isEmpty else {
            throw ValidationError("nothing to report: give --scores FILE.csv, --runs FILE.json, --campaign NAME or --bundles DIR")
        }
        if let runsPerTask, runsPerTask < 1 {
            throw ValidationError("--k \(runsPerTask) must be at least 1")
        }
        if let maxTau, !(maxTau > 0 && maxTau <= 10) {
            throw ValidationError("--max-tau \(maxTau) must be above 0 and at most 10 (it is a log10 ratio)")
        }
        guard !baseline.isEmpty else { throw ValidationError("--baseline must name a method") }
    }

    func run() async throws {
        let report = try makeReport()
        try ReportInputs.write(format.render(report), to: out)
    }

    /// Loads the inputs and computes everything the renderers show.
    func makeReport() throws(MLGymError) -> ScoreReport {
        var table: ScoreTable?
        var methodCosts: [String: MethodCost] = [:]
        var records: [RunRecord] = []
        if let scores {
            table = try ReportInputs.scores(scores, baseline: baseline)
        }
        if let runs {
            records = try ReportInputs.runs(runs)
            guard !records.isEmpty else {
                throw MLGymError(.invalidArgument, "\(runs): holds no run records (an empty array)")
            }
        }
        if let campaign {
            let finished = RunRecords.records(try client.client.runs(campaign: campaign).runs)
            guard !finished.isEmpty else {
                throw MLGymError(.notFound, "campaign \(campaign) has no finished runs (mlgymctl runs --campaign \(campaign))")
            }
            records += finished
        }
        for directory in bundles {
            let (finished, problems) = ResultsDirectory(directory).finishedRecords()
            for problem in problems { FileHandle.standardError.write(Data("note: \(problem)\n".utf8)) }
            guard !finished.isEmpty else {
                throw MLGymError(.notFound, "\(directory) holds no finished bundles (mlgymctl campaign status FILE shows why)")
            }
            records += finished.sorted { $0.key < $1.key }.map(\.value)
        }
        // A run merged twice (its bundle and its mlgymd record) counts once.
        var seen = Set<String>()
        records = records.filter { seen.insert($0.id).inserted }
        if !records.isEmpty {
            let fromRuns = try BestOf.table(from: records, baseline: baseline, k: runsPerTask)
            table = try table.map { t throws(MLGymError) in try t.merging(fromRuns) } ?? fromRuns
            methodCosts = MethodCost.fromRuns(records)
        }
        if let costs {
            methodCosts.merge(try ReportInputs.costs(costs)) { _, published in published }
        }
        guard let table else {
            throw MLGymError(.invalidArgument, "nothing to report (give --scores, --runs, --campaign or --bundles)")
        }
        return ScoreReport(table: table, costs: methodCosts, runs: records, maxTau: maxTau, ranking: ranking)
    }
}

extension RankingRule: ExpressibleByArgument {}
