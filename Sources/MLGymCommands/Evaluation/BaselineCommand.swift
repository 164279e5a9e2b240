import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient

/// `mlgymctl baseline --task ID`: runs a task's baseline in a fresh session, evaluates it, and compares the
/// score with the one the task records.
struct BaselineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline", abstract: "Run a task's baseline in a sandbox and print its score.",
        discussion: """
            Starts a session on the task, runs its baseline script (or, for tasks whose starter files are the \
            baseline, nothing), evaluates the result exactly as validate does, and compares the task's metric with \
            the recorded baseline. Exits 0 when the score lands within the task's tolerance, 1 otherwise. The \
            session is removed afterwards unless --keep is given.
            """)

    @OptionGroup var client: ClientOptions
    @Option(help: ArgumentHelp("Task id (as `mlgymctl tasks` lists it).", valueName: "id"))
    var task: String
    @Option(help: ArgumentHelp("Memory limit of the session, e.g. 8G.", valueName: "size"))
    var memory: String?
    @Option(help: ArgumentHelp("CPU limit of the session.", valueName: "n"))
    var cpus: Double?
    @Flag(help: "Keep the session after the evaluation (to look at what the baseline wrote).")
    var keep = false
    @Flag(help: "Print the evaluation as JSON.")
    var json = false

    func run() async throws {
        let api = client.client
        let info = try api.task(task)
        let session = try api.createSession(SessionSpec(name: "baseline-\(task)", task: task, memory: memory, cpus: cpus))
        defer { if !keep { try? api.removeSession(session.id, force: true) } }
        let progress = FileHandle.standardError
        if let command = info.baselineCommand {
            progress.write(Data("baseline: \(command) (session \(session.id.prefix(12)), limit \(info.trainingTimeout) s)\n".utf8))
            let result = try api.execStreaming(session.id, ExecRequest(command: command, timeout: Double(info.trainingTimeout))) { text in
                progress.write(Data(text.utf8))
            }
            guard result.exitCode == 0, !result.timedOut else {
                let how = result.timedOut ? "ran past \(info.trainingTimeout) s" : "exited with \(result.exitCode)"
                throw ValidationError("the baseline script \(how); nothing was evaluated")
            }
        }
        let evaluation = try api.evaluate(session.id, kind: "baseline")
        if json {
            print(try Output.json(evaluation))
        } else {
            print(evaluation.observation)
        }
        guard evaluation.succeeded else { throw ExitCode(1) }
        guard let metric = info.metric, let measured = evaluation.metrics[metric] else {
            print("the evaluation did not report the task's metric \(info.metric ?? "(none declared)")")
            throw ExitCode(1)
        }
        guard let recorded = info.baseline else {
            print("\(metric) \(measured); the task records no baseline to compare with")
            return
        }
        let tolerance = info.baselineTolerance ?? 0
        let difference = abs(measured - recorded)
        if difference <= tolerance {
            print("\(metric) \(measured) reproduces the recorded baseline \(recorded) (within \(tolerance))")
        } else {
            print("\(metric) \(measured) differs from the recorded baseline \(recorded) by \(difference) (tolerance \(tolerance))")
            throw ExitCode(1)
        }
    }
}
