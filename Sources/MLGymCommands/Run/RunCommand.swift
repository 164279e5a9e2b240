import ArgumentParser
import Dispatch
import Foundation
import Glibc
import MLGymAPI
import MLGymAgent
import MLGymClient
import MLGymCore

/// `mlgymctl run`: runs an agent on a task (N seeds, K at once) in mlgymd and follows the runs until they end.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run an agent (a model with MLGym's interface) on a task, and follow it.",
        discussion: """
            Each run gets its own task session and works until it submits or a limit ends it (then its current \
            artefact is auto-submitted, as MLGym does). The runs live in mlgymd: their steps are committed as \
            they happen, and they go on if this command is killed. In a terminal a line per run shows its step, \
            cost, best score and state. Ctrl-C stops the runs (marked interrupted, sessions stopped); \
            --resume RUN continues one later from its last step.

            Examples:
              mlgymctl run --task prisonersDilemma --model replay:tasks/demos/prisonersDilemma.traj
              OPENAI_API_KEY=… mlgymctl run --task blotto --model openai:gpt-4o --seeds 4 --parallel 2 --cost-limit 4
              mlgymctl run --task blotto --model openai:qwen2.5-coder --api-base http://127.0.0.1:8000/v1
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var options: RunOptions
    @Option(help: ArgumentHelp("Continue an interrupted run from its last committed step.", valueName: "run"))
    var resume: String?
    @Flag(help: "At the end, print the runs as JSON (ids, exit statuses, scores, tokens, cost).")
    var json = false

    func run() async throws {
        let api = client.client
        var ids: [String]
        if let resume {
            let previous = try api.run(resume)
            let spec = try ModelSpec(parsing: previous.model)
            ids = [try api.resumeRun(previous.id, apiKey: options.key(for: spec)).id]
        } else {
            ids = try api.startRuns(try options.request()).runs.map(\.id)
        }
        let stopAll: @Sendable () -> Void = { [ids] in
            // Concurrently: each stop returns when its run has recorded its end.
            DispatchQueue.concurrentPerform(iterations: ids.count) { index in _ = try? api.stopRun(ids[index]) }
        }
        // While a person is typing an action the main loop waits on the terminal: Ctrl-C then stops the runs
        // from the signal handler and leaves.
        // Woken by the runs' changes (GET /v1/events) instead of looking every half second.
        let changes = RunChangeWaiter(socketPath: client.socketPath, runs: ids)
        let interrupted = SignalFlag {
            if HumanTurn.isReading { stopAll(); Glibc.exit(130) }
            changes.wakeUp()
        }
        let display = RunProgressDisplay(terminal: isatty(STDERR_FILENO) == 1)
        var final: [RunInfo] = []
        var stopsSent = false
        while true {
            var runs: [RunInfo] = []
            for id in ids { runs.append(try api.run(id)) }
            display.show(runs)
            final = runs
            if !runs.contains(where: \.isActive) { break }
            if interrupted.isSet, !stopsSent {
                stopsSent = true
                FileHandle.standardError.write(Data("\nstopping \(runs.filter(\.isActive).count) runs…\n".utf8))
                stopAll()
                continue
            }
            if let waiting = runs.first(where: \.awaitingInput) {
                try HumanTurn.take(for: waiting, api: api, display: display)
                continue
            }
            try await changes.next()
        }
        display.finish()
        if json {
            print(try Output.json(RunList(runs: final)))
        } else {
            Output.show(RunTable.render(final))
        }
        if interrupted.isSet { throw ExitCode(130) }
        if final.contains(where: { $0.state == "failed" }) { throw ExitCode(1) }
    }
}
