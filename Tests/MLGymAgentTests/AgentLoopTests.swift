import Foundation
import Synchronization
import Testing
@testable import MLGymAgent

/// The loop against a scripted model and an environment that records what it was asked to run.
@Suite struct AgentLoopTests {
    final class ScriptedModel: ModelProvider {
        let replies: Mutex<[ModelReply]>
        let seen = Mutex<[[ChatMessage]]>([])
        init(_ texts: [String], tokens: (Int, Int) = (1000, 100)) {
            replies = Mutex(texts.map { ModelReply(text: $0, inputTokens: tokens.0, outputTokens: tokens.1) })
        }
        func complete(_ messages: [ChatMessage]) async throws(ModelError) -> ModelReply {
            seen.withLock { $0.append(messages) }
            guard let next = replies.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { throw .exhausted("no more replies") }
            return next
        }
    }

    final class FakeEnvironment: AgentEnvironment {
        let commands = Mutex<[String]>([])
        let autoSubmitted = Mutex<ExitReason?>(nil)
        let output: @Sendable (String) -> String
        init(output: @escaping @Sendable (String) -> String = { "ran \($0)" }) { self.output = output }
        func run(_ command: String, limits: CommandLimits) async throws -> CommandOutcome {
            commands.withLock { $0.append(command) }
            return CommandOutcome(output: output(command), exitCode: 0, durationMs: 1)
        }
        func state() async -> AgentState { AgentState(openFile: "n/a", workingDirectory: "/home/agent/workspace") }
        func submission() async -> FinalEvaluation? { commands.withLock { $0.last == "submit" } ? .succeeded : nil }
        func autoSubmit(reason: ExitReason) async -> FinalEvaluation {
            autoSubmitted.withLock { $0 = reason }
            return .succeeded
        }
    }

    final class MemoryRecorder: AgentRecorder {
        let steps = Mutex<[AgentStep]>([])
        func record(_ step: AgentStep) async throws { steps.withLock { $0.append(step) } }
        func note(_ message: String) async {}
        func campaignCost() async -> Double { 0 }
        let unrecorded = Mutex(0)
        func addUsage(inputTokens: Int, outputTokens: Int, apiCalls: Int, cost: Double) async { unrecorded.withLock { $0 += apiCalls } }
    }

    func loop(_ model: ScriptedModel, _ environment: FakeEnvironment, _ recorder: MemoryRecorder, maxSteps: Int = 10, costLimit: Double = 0, price: PriceTable.Price? = nil) -> AgentLoop {
        AgentLoop(
            model: model, environment: environment, recorder: recorder,
            prompts: AgentPrompts(commandDocumentation: "open:\n  docstring: opens a file", window: 1000, trainingTimeout: 1800),
            configuration: AgentLoopConfiguration(
                maxSteps: maxSteps, costLimit: costLimit, commandLimits: CommandLimits(total: 60, withoutOutput: 30),
                terminators: ["edit": "end_of_edit"], price: price),
            taskDescription: "Win the game.")
    }

    static func reply(_ command: String) -> String { "DISCUSSION\nthinking\n\n```\n\(command)\n```" }

    @Test func aRunThatSubmitsEndsSubmittedWithEveryStepRecorded() async {
        let model = ScriptedModel([Self.reply("cat strategy.py"), Self.reply("validate"), Self.reply("submit")])
        let environment = FakeEnvironment()
        let recorder = MemoryRecorder()
        let outcome = await loop(model, environment, recorder).run(isStopped: { false })
        #expect(outcome.exitStatus == "submitted")
        #expect(environment.commands.withLock { $0 } == ["cat strategy.py", "validate", "submit"])
        let steps = recorder.steps.withLock { $0 }
        #expect(steps.map(\.index) == [1, 2, 3])
        #expect(steps[0].observation == "ran cat strategy.py")
        #expect(environment.autoSubmitted.withLock { $0 } == nil)
        // The model saw the system prompt, the task with its footer, and each observation with the footer.
        let last = model.seen.withLock { $0.last ?? [] }
        #expect(last[0].role == .system && last[0].content.contains("COMMANDS:"))
        #expect(last[1].content.contains("Win the game.") && last[1].content.contains("(Current Step: 0, Remaining Steps: 10)"))
        #expect(last.last?.content.contains("(Current Step: 2, Remaining Steps: 8)") == true)
    }

    @Test func aReplyWithTwoBlocksIsRetriedWithTheErrorAndThreeInARowEndTheRun() async {
        let model = ScriptedModel(["```\nls\n```\n```\npwd\n```", Self.reply("submit")])
        let environment = FakeEnvironment()
        let recorder = MemoryRecorder()
        let outcome = await loop(model, environment, recorder).run(isStopped: { false })
        #expect(outcome.exitStatus == "submitted")
        #expect(recorder.steps.withLock { $0.first?.formatErrors } == 1)
        let retry = model.seen.withLock { $0[1] }
        #expect(retry.suffix(2).first?.role == .assistant)
        #expect(retry.last?.content.contains("2 fenced blocks") == true)

        let stubborn = ScriptedModel(["no block", "still none", "nothing", Self.reply("submit")])
        let stubbornRecorder = MemoryRecorder()
        let ended = await loop(stubborn, FakeEnvironment(), stubbornRecorder).run(isStopped: { false })
        #expect(ended.reason == .format)
        #expect(ended.exitStatus == "autosubmission (exit_format)")
        #expect(stubbornRecorder.unrecorded.withLock { $0 } == 3, "the three rejected calls still count")
    }

    @Test func theStepLimitAutoSubmits() async {
        let environment = FakeEnvironment()
        let outcome = await loop(ScriptedModel(Array(repeating: Self.reply("ls"), count: 5)), environment, MemoryRecorder(), maxSteps: 2).run(isStopped: { false })
        #expect(outcome.exitStatus == "autosubmission (max_steps)")
        #expect(environment.commands.withLock { $0.count } == 2)
        #expect(environment.autoSubmitted.withLock { $0 } == .maxSteps)
    }

    @Test func theCostLimitEndsTheRunBeforeTheNextCall() async {
        // 1000 input + 100 output tokens at $2.5/$10 per million = $0.0035 a step; the limit allows two steps.
        let price = PriceTable.Price(input: 2.5, output: 10)
        let recorder = MemoryRecorder()
        let outcome = await loop(ScriptedModel(Array(repeating: Self.reply("ls"), count: 5)), FakeEnvironment(), recorder, costLimit: 0.006, price: price).run(isStopped: { false })
        #expect(outcome.exitStatus == "autosubmission (exit_cost)")
        #expect(recorder.steps.withLock { $0.count } == 2)
        #expect(abs(recorder.steps.withLock { $0.reduce(0) { $0 + $1.cost } } - 0.007) < 1e-9)
    }

    @Test func blocklistedAndMalformedCommandsNeverRun() async {
        let environment = FakeEnvironment()
        let model = ScriptedModel([Self.reply("vim strategy.py"), Self.reply("edit 1:1\nx = 1"), Self.reply("submit")])
        let outcome = await loop(model, environment, MemoryRecorder()).run(isStopped: { false })
        #expect(outcome.exitStatus == "submitted")
        #expect(environment.commands.withLock { $0 } == ["submit"])
        #expect(model.seen.withLock { $0[1].last?.content.contains("vim waits for keyboard input") } == true)
        #expect(model.seen.withLock { $0[2].last?.content.contains("end_of_edit") } == true)
    }

    @Test func skipAndForfeitEndWithoutAnEvaluation() async {
        let environment = FakeEnvironment()
        let skipped = await loop(ScriptedModel([Self.reply("skip")]), environment, MemoryRecorder()).run(isStopped: { false })
        #expect(skipped.exitStatus == "skipped")
        let forfeited = await loop(ScriptedModel([Self.reply("exit_forfeit")]), environment, MemoryRecorder()).run(isStopped: { false })
        #expect(forfeited.exitStatus == "exit_forfeit")
        #expect(environment.autoSubmitted.withLock { $0 } == nil)
        #expect(environment.commands.withLock { $0 }.isEmpty)
    }

    @Test func aStopRequestEndsTheRunWithoutEvaluating() async {
        let environment = FakeEnvironment()
        let stopped = Mutex(false)
        let model = ScriptedModel([Self.reply("ls"), Self.reply("ls")])
        let environmentThatStops = FakeEnvironment { command in
            stopped.withLock { $0 = true }
            return command
        }
        let recorder = MemoryRecorder()
        let outcome = await loop(model, environmentThatStops, recorder).run(isStopped: { stopped.withLock { $0 } })
        #expect(outcome.exitStatus == "interrupted")
        #expect(recorder.steps.withLock { $0.count } == 1, "the command that ran before the stop is recorded")
        #expect(environment.autoSubmitted.withLock { $0 } == nil)
        #expect(environmentThatStops.autoSubmitted.withLock { $0 } == nil)
    }

    @Test func aResumedRunRebuildsItsHistoryAndContinuesNumbering() async {
        let first = MemoryRecorder()
        _ = await loop(ScriptedModel([Self.reply("ls"), Self.reply("pwd")]), FakeEnvironment(), first).run(isStopped: { false })
        let previous = first.steps.withLock { $0 }
        #expect(previous.count == 2)
        let model = ScriptedModel([Self.reply("submit")])
        let recorder = MemoryRecorder()
        let outcome = await loop(model, FakeEnvironment(), recorder).run(previous: previous, isStopped: { false })
        #expect(outcome.exitStatus == "submitted")
        #expect(recorder.steps.withLock { $0.map(\.index) } == [3])
        let seen = model.seen.withLock { $0[0] }
        #expect(seen.filter { $0.role == .assistant }.count == 2)
        #expect(seen.last?.content.contains("ran pwd") == true)
    }

    @Test func timeOutsAreToldInMLGymsWords() async {
        final class SlowEnvironment: AgentEnvironment {
            func run(_ command: String, limits: CommandLimits) async throws -> CommandOutcome {
                CommandOutcome(output: "partial", exitCode: 124, timeout: command == "sleep" ? .noOutput : nil, durationMs: 30_000)
            }
            func state() async -> AgentState { AgentState() }
            func submission() async -> FinalEvaluation? { nil }
            func autoSubmit(reason: ExitReason) async -> FinalEvaluation { .artefactMissing }
        }
        let recorder = MemoryRecorder()
        let loop = AgentLoop(
            model: ScriptedModel([Self.reply("sleep")]), environment: SlowEnvironment(), recorder: recorder,
            prompts: AgentPrompts(commandDocumentation: "", window: 1000, trainingTimeout: 60),
            configuration: AgentLoopConfiguration(maxSteps: 1, commandLimits: CommandLimits(total: 60, withoutOutput: 30), terminators: [:]),
            taskDescription: "t")
        let outcome = await loop.run(isStopped: { false })
        #expect(outcome.exitStatus == "submission_not_found (max_steps)")
        #expect(recorder.steps.withLock { $0.first?.observation } == "partial\nEXECUTION TIMED OUT BECAUSE NO OUTPUT WAS PRODUCED FOR MORE THAN 30 SECONDS.\nPLEASE REFINE YOUR RUNNING COMMAND SO IT WILL PRODUCE OUTPUT IN THE SPECIFIED TIME FRAME.")
    }

    @Test func theTimeLimitEndsTheRunBetweenStepsWithAnAutoSubmission() async {
        // The first command alone outlasts the limit (sleeping can only take longer, never shorter), so the run
        // ends after one step, before a second model call: no timing the machine's load could upset.
        final class SlowCommands: AgentEnvironment {
            let commands = Mutex(0)
            let autoSubmitted = Mutex<ExitReason?>(nil)
            func run(_ command: String, limits: CommandLimits) async throws -> CommandOutcome {
                try? await Task.sleep(for: .milliseconds(500))
                commands.withLock { $0 += 1 }
                return CommandOutcome(output: "ok", exitCode: 0, durationMs: 500)
            }
            func state() async -> AgentState { AgentState(openFile: "n/a", workingDirectory: "/home/agent/workspace") }
            func submission() async -> FinalEvaluation? { nil }
            func autoSubmit(reason: ExitReason) async -> FinalEvaluation {
                autoSubmitted.withLock { $0 = reason }
                return .succeeded
            }
        }
        let environment = SlowCommands()
        let model = ScriptedModel((0..<10).map { _ in Self.reply("ls") })
        let loop = AgentLoop(
            model: model, environment: environment, recorder: MemoryRecorder(),
            prompts: AgentPrompts(commandDocumentation: "", window: 1000, trainingTimeout: 1800),
            configuration: AgentLoopConfiguration(
                maxSteps: 10, timeLimit: 0.25, commandLimits: CommandLimits(total: 60, withoutOutput: 30), terminators: [:]),
            taskDescription: "Win.")
        let outcome = await loop.run(isStopped: { false })
        #expect(outcome.reason == .time)
        #expect(outcome.exitStatus == "autosubmission (exit_time)")
        #expect(environment.commands.withLock { $0 } == 1)
        #expect(environment.autoSubmitted.withLock { $0 } == .time)
        #expect(model.seen.withLock { $0.count } == 1)
    }
}
