import ArgumentParser
import Foundation
import MLGymAPI
import MLGymCampaign
import MLGymClient
import MLGymCore

/// `mlgymctl export --mlgym-layout DIR`: runs as MLGym's own run folders, for MLGym's visualizer and scripts.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write runs in MLGym's trajectory layout (for its visualizer and results scripts).",
        discussion: """
            Each run becomes DIR/<model>__<task>__<config>__t-<temp>__p-<top_p>__c-<cost>__install-0_run_<seed>/ with \
            <task>.traj and results.json, as MLGym writes its runs. Give one source: --run, --campaign or --bundles.
            """)

    @OptionGroup var client: ClientOptions
    @Option(name: .customLong("mlgym-layout"), help: ArgumentHelp("The directory to write the run folders into (made if missing).", valueName: "dir"))
    var directory: String
    @Option(help: ArgumentHelp("One run of this mlgymd (id or unique prefix).", valueName: "id"))
    var run: String?
    @Option(help: ArgumentHelp("Every finished run of this mlgymd campaign.", valueName: "name"))
    var campaign: String?
    @Option(help: ArgumentHelp("A campaign's results directory: every finished bundle in it (no mlgymd needed).", valueName: "dir"))
    var bundles: String?

    func validate() throws {
        guard [run, campaign, bundles].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --run, --campaign or --bundles")
        }
    }

    func run() async throws {
        var written: [String] = []
        var problems: [String] = []
        if let run {
            written.append(try MLGymLayoutExport.write(try client.client.trajectory(run), into: directory))
        } else if let campaign {
            let runs = try client.client.runs(campaign: campaign).runs
            guard !runs.isEmpty else { throw MLGymError(.notFound, "campaign \(campaign) has no runs on this mlgymd") }
            for info in runs where !info.isActive {
                written.append(try MLGymLayoutExport.write(try client.client.trajectory(info.id), into: directory))
            }
        } else if let bundles {
            let results = ResultsDirectory(bundles)
            let scan = results.scan()
            problems += scan.problems
            for (key, manifest) in scan.manifests.sorted(by: { $0.key < $1.key }) where manifest.isFinished {
                do {
                    written.append(try MLGymLayoutExport.write(bundle: results.bundlePath(key), manifest: manifest, into: directory))
                } catch {
                    problems.append(error.message)
                }
            }
        }
        for problem in problems { FileHandle.standardError.write(Data("mlgymctl: skipped: \(problem)\n".utf8)) }
        guard !written.isEmpty else { throw MLGymError(.notFound, "no finished runs to export") }
        for folder in written { Output.show(folder) }
        FileHandle.standardError.write(Data("wrote \(written.count) run folder\(written.count == 1 ? "" : "s") in MLGym's layout under \(directory)\n".utf8))
    }
}
