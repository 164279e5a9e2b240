import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient

/// `mlgymctl validate ID`: evaluate a task session's artefact now, as the agent's `validate` does.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Evaluate a task session's current artefact (any number of times).",
        discussion: "The evaluation runs in a sandbox of its own over a read-only snapshot of the workspace, with the task's pristine evaluation script and hidden answers. Exits 0 when it produced metrics.")

    @OptionGroup var target: SessionTarget

    func run() async throws {
        try EvaluationPrinter.report(try target.client.client.evaluate(target.id, kind: "validate"), json: target.json)
    }
}

/// `mlgymctl submit ID`: the session's final evaluation.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Evaluate a task session's artefact as its final submission.",
        discussion: "A submission is final: the session accepts no evaluation after it. Exits 0 when it produced metrics.")

    @OptionGroup var target: SessionTarget

    func run() async throws {
        try EvaluationPrinter.report(try target.client.client.evaluate(target.id, kind: "submit"), json: target.json)
    }
}

/// `mlgymctl evaluations ID`: every evaluation of a session, with MLGym's Best Attempt and Submission values.
struct EvaluationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluations", abstract: "List a task session's evaluations and its best scores.")

    @OptionGroup var target: SessionTarget

    func run() async throws {
        let list = try target.client.client.evaluations(target.id)
        if target.json {
            print(try Output.json(list))
            return
        }
        let metric = list.metric ?? "-"
        let rows = list.evaluations.map { evaluation in
            [
                String(evaluation.id), evaluation.kind, evaluation.status,
                evaluation.metrics[metric].map { "\($0)" } ?? "-", "\(evaluation.durationMs) ms",
                evaluation.artefactDigest.map { String($0.prefix(12)) } ?? "-", Output.age(of: evaluation.startedAt),
            ]
        }
        Output.show(Output.table(["ID", "KIND", "STATUS", metric.uppercased(), "TOOK", "ARTEFACT", "WHEN"], rows))
        print("task \(list.task), \(metric) (\(list.direction)): best attempt \(list.bestAttempt.map { "\($0)" } ?? "-"), submission \(list.submission.map { "\($0)" } ?? "-")\(list.submitted ? " (submitted)" : "")")
    }
}

/// The session an evaluation verb acts on, the socket, and `--json`.
struct SessionTarget: ParsableArguments {
    @OptionGroup var client: ClientOptions
    @Argument(help: ArgumentHelp("Session id, unique id prefix or unique name.", valueName: "id"))
    var id: String
    @Flag(help: "Print as JSON.")
    var json = false
}

/// How an evaluation prints: MLGym's observation, or JSON; the exit status says whether it produced metrics.
enum EvaluationPrinter {
    static func report(_ evaluation: EvaluationInfo, json: Bool) throws {
        if json { print(try Output.json(evaluation)) } else { Output.show(evaluation.observation) }
        if !evaluation.succeeded { throw ExitCode(1) }
    }
}
