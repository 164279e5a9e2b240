import ArgumentParser
import Foundation
import MLGymAPI
import MLGymCampaign
import MLGymClient

/// `mlgymctl trajectory RUN`: what a run's agent thought, did and saw, step by step.
struct TrajectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trajectory", abstract: "Show a run's steps; export them as MLGym's .traj and results.json.")

    @OptionGroup var client: ClientOptions
    @Argument(help: "Run id (or a unique prefix).") var run: String
    @Flag(help: "Print the whole trajectory as JSON.") var json = false
    @Flag(help: "Print the agent's text as it is, escape sequences included (by default control characters are shown escaped, e.g. \\e).")
    var raw = false
    @Option(name: .customLong("export-traj"), help: ArgumentHelp("Write MLGym's .traj file here, and results.json beside it.", valueName: "file"))
    var exportPath: String?

    func run() async throws {
        let trajectory = try client.client.trajectory(run)
        if let exportPath {
            let (traj, results) = try TrajectoryExport.files(trajectory)
            let url = URL(fileURLWithPath: exportPath)
            try traj.write(to: url)
            let resultsURL = url.deletingLastPathComponent().appendingPathComponent("results.json")
            try results.write(to: resultsURL)
            FileHandle.standardError.write(Data("wrote \(url.path) and \(resultsURL.path)\n".utf8))
            return
        }
        if json {
            print(try Output.json(trajectory))
            return
        }
        let info = trajectory.run
        Output.show("run \(info.id): \(info.model) on \(info.task), seed \(info.seed), \(info.exitStatus ?? info.state)")
        for step in trajectory.steps {
            print("\n── step \(step.index) ─ \(step.executionMs) ms run, \(step.modelMs) ms model, \(step.inputTokens)/\(step.outputTokens) tokens" + (step.formatErrors > 0 ? ", \(step.formatErrors) rejected replies" : ""))
            if !step.thought.isEmpty { Output.show(step.thought, raw: raw) }
            Output.show("$ " + step.action.replacingOccurrences(of: "\n", with: "\n  "), raw: raw)
            Output.show(step.observation, raw: raw)
        }
        Output.show("\n" + RunTable.render([info]))
    }
}
