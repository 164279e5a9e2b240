import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient

/// `mlgymctl tasks [show ID]`: the benchmark tasks mlgymd has and whether each can run on this host.
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks", abstract: "List the benchmark tasks, and whether each can run on this host.",
        discussion: "A task that cannot run here says why: GPUs it needs, data that is missing, Python modules the root filesystem lacks.",
        subcommands: [TasksList.self, TasksShow.self], defaultSubcommand: TasksList.self)
}

struct TasksList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tasks (the default).")

    @OptionGroup var client: ClientOptions
    @Flag(help: "Print as JSON.")
    var json = false

    func run() async throws {
        let list = try client.client.tasks()
        if json {
            print(try Output.json(list))
            return
        }
        let rows = list.tasks.map { task in
            [
                task.id, task.domain ?? "-", task.metric ?? "-", task.direction,
                task.baseline.map { Self.number($0) + (task.baselineStatus == "unverified" ? "*" : "") } ?? "-", task.gpus == 0 ? "-" : String(task.gpus),
                task.datasets.isEmpty ? "-" : (task.datasets.allSatisfy(\.present) ? "yes" : "no"),
                task.runnable ? "yes" : "no: " + Self.summary(task.blockers),
            ]
        }
        print(Output.table(["TASK", "DOMAIN", "METRIC", "DIR", "BASELINE", "GPUS", "DATA", "RUNS HERE"], rows))
        if list.tasks.contains(where: { $0.baselineStatus == "unverified" }) {
            print("* unverified: a published baseline not yet reproduced here (tasks/README.md says how each was obtained)")
        }
        if list.tasks.contains(where: { !$0.runnable }) { print("(mlgymctl tasks show ID gives every reason and how to provide missing data)") }
        for problem in list.problems { print("not loaded: \(problem)") }
        if let identity = list.rootfsIdentity { print("root filesystem: \(identity)") }
    }

    static func number(_ value: Double) -> String {
        String(format: "%.4g", value)
    }

    /// The first reason and how many more (`tasks show ID` lists them all).
    static func summary(_ blockers: [String]) -> String {
        guard let first = blockers.first else { return "" }
        return blockers.count == 1 ? first : "\(first) (+\(blockers.count - 1) more)"
    }
}

struct TasksShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a task's description and requirements.")

    @OptionGroup var client: ClientOptions
    @Argument(help: ArgumentHelp("Task id (as `mlgymctl tasks` lists it).", valueName: "id"))
    var id: String
    @Flag(help: "Print as JSON.")
    var json = false

    func run() async throws {
        let task = try client.client.task(id)
        if json {
            print(try Output.json(task))
            return
        }
        var lines = [
            "\(task.id): \(task.name)" + (task.domain.map { " (\($0))" } ?? ""),
            "metric:    \(task.metric ?? "-") (\(task.direction)); baseline \(task.baselineScores.map { Self.metrics($0) } ?? "none recorded")"
                + (task.baselineStatus.map { " (\($0))" } ?? ""),
            "kind:      \(task.entrypoint); training timeout \(task.trainingTimeout) s; GPUs \(task.gpus)",
        ]
        if !task.pythonModules.isEmpty { lines.append("python:    \(task.pythonModules.joined(separator: ", "))") }
        if let filled = task.fieldsFromMLGymBench {
            lines.append("from MLGym-Bench: \(filled.joined(separator: ", ")) (the task file leaves them out)")
        }
        for dataset in task.datasets {
            lines.append("dataset:   \(dataset.name) (\(dataset.source) \(dataset.location)): \(dataset.present ? "present" : "missing")"
                + (dataset.present ? "" : dataset.howToGet.map { " — \($0)" } ?? ""))
        }
        lines.append("runs here: " + (task.runnable ? "yes" : "no: " + task.blockers.joined(separator: "; ")))
        for note in task.notes { lines.append("note:      \(note)") }
        lines.append("")
        lines.append(task.description ?? "")
        print(lines.joined(separator: "\n"))
    }

    static func metrics(_ values: [String: Double]) -> String {
        values.keys.sorted().map { "\($0) \(values[$0] ?? .nan)" }.joined(separator: ", ")
    }
}
