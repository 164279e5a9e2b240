import Foundation
import MLGymCore

/// MLGym's agent loop: system prompt and task → model → one command → the session → observation → the model
/// again, until the agent submits or a limit ends the run (and the current artefact is auto-submitted).
/// Every step is committed through the recorder before the next model call.
public struct AgentLoop: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var reason: ExitReason
        /// MLGym's exit status ("submitted", "autosubmission (max_steps)", …); "interrupted" for a stopped run.
        public var exitStatus: String
        /// Why the run ended, in a sentence, when a limit or an error ended it.
        public var message: String?
    }

    public let model: any ModelProvider
    public let environment: any AgentEnvironment
    public let recorder: any AgentRecorder
    public let prompts: AgentPrompts
    public let configuration: AgentLoopConfiguration
    public let taskDescription: String
    /// The memory's footer lines at the start (count and keywords), when the run uses memory.
    public var openingMemory: String?

    public init(
        model: any ModelProvider, environment: any AgentEnvironment, recorder: any AgentRecorder, prompts: AgentPrompts,
        configuration: AgentLoopConfiguration, taskDescription: String
    ) {
        self.model = model
        self.environment = environment
        self.recorder = recorder
        self.prompts = prompts
        self.configuration = configuration
        self.taskDescription = taskDescription
    }

    /// The conversation as the model saw it after `steps` (the stored history; the processor trims what it sees).
    public func history(after steps: [AgentStep]) -> [ChatMessage] {
        var history = prompts.opening(description: taskDescription, maxSteps: configuration.maxSteps, memory: openingMemory)
        for step in steps {
            history.append(ChatMessage(.assistant, step.response))
            history.append(ChatMessage(.user, prompts.observation(step.observation, status: status(afterSteps: step.index, state: step.state))))
        }
        return history
    }

    func status(afterSteps taken: Int, state: AgentState) -> AgentPrompts.Status {
        AgentPrompts.Status(
            step: taken, remainingSteps: max(0, configuration.maxSteps - taken), openFile: state.openFile,
            workingDirectory: state.workingDirectory, memory: state.memory)
    }

    /// Runs until the run ends. `previous` are the steps of a run being resumed; `isStopped` is asked between
    /// steps (a stop request also stops the session, which ends a running command at once).
    public func run(previous: [AgentStep] = [], isStopped: @escaping @Sendable () -> Bool) async -> Outcome {
        var steps = previous
        var history = history(after: steps)
        var spent = steps.reduce(0) { $0 + $1.cost }
        let processor = HistoryProcessor(keep: configuration.historyKeep)
        let began = ContinuousClock.now
        while true {
            if isStopped() { return await end(.interrupted, "stopped on request") }
            if configuration.timeLimit > 0, ContinuousClock.now - began >= .seconds(configuration.timeLimit) {
                return await end(.time, "the run used its \(DurationText.short(configuration.timeLimit)) of time")
            }
            guard steps.count < configuration.maxSteps else {
                return await end(.maxSteps, "the run used its \(configuration.maxSteps) steps")
            }
            if configuration.costLimit > 0, spent >= configuration.costLimit {
                return await end(.cost, String(format: "the run spent $%.4f of its $%.2f limit", spent, configuration.costLimit))
            }
            if configuration.campaignCostLimit > 0 {
                let campaign = await recorder.campaignCost()
                if campaign >= configuration.campaignCostLimit {
                    return await end(.cost, String(format: "the campaign spent $%.4f of its $%.2f limit", campaign, configuration.campaignCostLimit))
                }
            }
            let view = processor.view(of: history)
            if let window = configuration.price?.contextTokens, Self.estimatedTokens(view) > window {
                return await end(.context, "the conversation (about \(Self.estimatedTokens(view)) tokens) no longer fits the model's \(window)")
            }
            let started = Date()
            let clock = ContinuousClock.now
            // Ask until a reply parses; rejected replies and the error text are shown only to the retry.
            var formatErrors = 0
            var rejected: [ChatMessage] = []
            var inputTokens = 0
            var outputTokens = 0
            var modelTime: Duration = .zero
            var accepted: (reply: String, thought: String, action: String, command: String)?
            // A run that ends before this step is recorded still owes the calls it made for it.
            func endUnrecorded(_ reason: ExitReason, _ message: String) async -> Outcome {
                if formatErrors > 0 || accepted != nil {
                    await recorder.addUsage(
                        inputTokens: inputTokens, outputTokens: outputTokens, apiCalls: formatErrors + (accepted == nil ? 0 : 1),
                        cost: price(inputTokens, outputTokens))
                }
                return await end(reason, message)
            }
            while accepted == nil {
                let callStart = ContinuousClock.now
                let reply: ModelReply
                do {
                    reply = try await model.complete(view + rejected)
                } catch .cancelled {
                    return await endUnrecorded(.interrupted, "stopped on request")
                } catch .contextExceeded(let detail) {
                    return await endUnrecorded(.context, "the model's context window is full: \(detail)")
                } catch .exhausted(let detail) {
                    return await endUnrecorded(.error, detail)
                } catch {
                    return await endUnrecorded(.api, "the model API failed: \(error)")
                }
                modelTime += ContinuousClock.now - callStart
                inputTokens += reply.inputTokens
                outputTokens += reply.outputTokens
                let problem: String
                do {
                    let parsed = try ActionParser.parse(reply.text)
                    if let program = configuration.blocklist.refusal(for: parsed.action, terminators: configuration.terminators) {
                        problem = prompts.refused(program)
                    } else {
                        do {
                            let command = try HeredocGuard.guarded(parsed.action, terminators: configuration.terminators)
                            accepted = (reply.text, parsed.thought, parsed.action, command)
                            continue
                        } catch {
                            problem = prompts.malformed(error)
                        }
                    }
                } catch {
                    problem = prompts.formatError(error)
                }
                formatErrors += 1
                await recorder.note("reply \(formatErrors) of step \(steps.count + 1) rejected: \(problem.prefix(120))")
                guard formatErrors <= configuration.maxFormatRetries else {
                    return await endUnrecorded(.format, "the model's reply was rejected \(formatErrors) times in a row")
                }
                rejected = [ChatMessage(.assistant, reply.text), ChatMessage(.user, problem)]
                if isStopped() { return await endUnrecorded(.interrupted, "stopped on request") }
            }
            guard let accepted else { continue }
            let cost = price(inputTokens, outputTokens)
            // MLGym's special actions end the run without an evaluation.
            if accepted.action == "exit_forfeit" || accepted.action == "skip" {
                return await endUnrecorded(accepted.action == "skip" ? .skipped : .forfeit, "the agent gave up (\(accepted.action))")
            }
            if isStopped() { return await endUnrecorded(.interrupted, "stopped on request") }
            let outcome: CommandOutcome
            let limits = configuration.commandLimits.applying(to: accepted.action)
            do {
                outcome = try await environment.run(accepted.command, limits: limits)
            } catch let gone as EnvironmentGone {
                return await endUnrecorded(.interrupted, gone.message)
            } catch {
                if isStopped() { return await endUnrecorded(.interrupted, "stopped on request") }
                return await endUnrecorded(.error, "the command could not run: \(error)")
            }
            spent += cost
            // A command that ran is recorded even when a stop came meanwhile: its effects are in the workspace.
            var observation = ObservationText.shown(outcome.output, limit: configuration.observationLimit).text
            observation += timeoutNotice(outcome, limits: limits)
            let state = await environment.state()
            let step = AgentStep(
                index: steps.count + 1, thought: accepted.thought, action: accepted.action, observation: observation,
                response: accepted.reply, state: state, startedAt: started, modelMs: modelTime.milliseconds,
                executionMs: outcome.durationMs, stepMs: (ContinuousClock.now - clock).milliseconds,
                inputTokens: inputTokens, outputTokens: outputTokens, cost: cost, formatErrors: formatErrors,
                exitCode: outcome.exitCode, edit: state.lastEdit)
            do {
                try await recorder.record(step)
            } catch {
                if isStopped() { return await end(.interrupted, "stopped on request; its last step could not be recorded: \(error)") }
                return await end(.error, "the step could not be recorded: \(error)")
            }
            steps.append(step)
            history.append(ChatMessage(.assistant, step.response))
            history.append(ChatMessage(.user, prompts.observation(observation, status: status(afterSteps: step.index, state: state))))
            if let submitted = await environment.submission() {
                return Outcome(reason: .submitted, exitStatus: submitted.exitStatus(for: .submitted), message: nil)
            }
            if isStopped() { return await end(.interrupted, "stopped on request") }
        }
    }

    private func end(_ reason: ExitReason, _ message: String) async -> Outcome {
        guard reason.autoSubmits else {
            let status = switch reason {
            case .interrupted: "interrupted"
            case .skipped: "skipped"
            default: reason.rawValue
            }
            return Outcome(reason: reason, exitStatus: status, message: message)
        }
        let final = await environment.autoSubmit(reason: reason)
        return Outcome(reason: reason, exitStatus: final.exitStatus(for: reason), message: message)
    }

    private func price(_ input: Int, _ output: Int) -> Double {
        configuration.price?.dollars(inputTokens: input, outputTokens: output) ?? 0
    }

    /// MLGym's time-out notices, so agents trained on its runs recognise them.
    private func timeoutNotice(_ outcome: CommandOutcome, limits: CommandLimits) -> String {
        switch outcome.timeout {
        case nil: ""
        case .noOutput?:
            "\nEXECUTION TIMED OUT BECAUSE NO OUTPUT WAS PRODUCED FOR MORE THAN \(Int(limits.withoutOutput)) SECONDS.\nPLEASE REFINE YOUR RUNNING COMMAND SO IT WILL PRODUCE OUTPUT IN THE SPECIFIED TIME FRAME."
        case .total?:
            "\nEXECUTION TIMED OUT BECAUSE THE COMMAND WAS RUNNING FOR MORE THAN \(Int(limits.total)) SECONDS."
        }
    }

    /// About four characters per token: enough to end a run before the API refuses it.
    static func estimatedTokens(_ messages: [ChatMessage]) -> Int {
        messages.reduce(0) { $0 + $1.content.utf8.count } / 4
    }
}

extension Duration {
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
