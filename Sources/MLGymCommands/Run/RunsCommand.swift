import ArgumentParser
import Foundation
import MLGymAPI
import MLGymCampaign
import MLGymClient
import MLGymCore

/// `mlgymctl runs`: the agent runs mlgymd has, newest last.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List agent runs (filter by campaign, task or model).")

    @OptionGroup var client: ClientOptions
    @Option(help: "Only this campaign's runs.") var campaign: String?
    @Option(help: "Only runs on this task.") var task: String?
    @Option(help: ArgumentHelp("Only runs of this model spec (openai:gpt-4o).", valueName: "spec")) var model: String?
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print the finished runs as run records (JSON), the bundle `mlgymctl report --runs` merges across hosts.")
    var records = false

    func run() async throws {
        let list = try client.client.runs(campaign: campaign, task: task, model: model)
        if records {
            print(try Output.json(RunRecords.records(list.runs)))
        } else if json {
            print(try Output.json(list))
        } else if list.runs.isEmpty {
            print("no runs (mlgymctl run starts one)")
        } else {
            Output.show(RunTable.render(list.runs))
        }
    }
}
