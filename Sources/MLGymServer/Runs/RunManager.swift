import Foundation
import MLGymACI
import MLGymAPI
import MLGymAgent
import MLGymCore
import MLGymStore
import MLGymTasks
import Synchronization

/// Runs agents on tasks: each run gets a task session of its own, a model provider, and the agent loop; its
/// steps are committed as they happen. Runs belong to the uid that asked for them, like sessions.
/// Control (stop, resume, input) is in `RunManager+Control.swift`, reading in `RunManager+Read.swift`.
public actor RunManager {
    public struct Configuration: Sendable {
        /// Prices and context windows of models (built-in list, extended by `mlgymd --prices`).
        public var prices: PriceTable = .builtIn
        public var retry = RetryingModel.Policy()
        /// Seconds one model call may take.
        public var modelTimeout: Double = 600
        /// Keys from the daemon's own environment, used when a request brings none.
        public var environmentKeys: [String: String] = [:]
        public init() {}
    }

    /// Bytes of stored configuration one request may create (its size times its seeds).
    static let maxConfigurationBytes = 64 << 20

    let sessions: SessionManager
    let store: Store
    let configuration: Configuration
    var controls: [String: RunControl] = [:] {
        didSet {
            // A run ended: whoever waits for runs to end looks again (`waitForRuns`).
            if controls.count < oldValue.count { wakeRunWaiters() }
        }
    }
    /// Callers of `waitForRuns`, woken when a run ends or their time is up.
    var runWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    var nextRunWaiter: UInt64 = 0
    /// Each run's method and GPUs from its stored configuration, read once: a campaign's progress lists every
    /// run twice a second, and a replay's configuration holds its whole trajectory.
    var labels: [String: RunLabels] = [:]
    var stopping = false

    init(sessions: SessionManager, store: Store, configuration: Configuration) {
        self.sessions = sessions
        self.store = store
        self.configuration = configuration
    }

    /// A person as the model of run `id`: followers are told when it starts and stops waiting for their action.
    nonisolated func humanProvider(for id: String, owner: UInt32) -> HumanProvider {
        HumanProvider { [weak sessions] _ in sessions?.changes.publish(Change(subject: .run, id: id, ownerUID: owner, state: nil)) }
    }

    /// Tells followers (`GET /v1/events`) that run `id` changed; `state` when it was its state.
    nonisolated func announce(_ id: String, owner: UInt32, state: AgentRunRecord.State? = nil) {
        sessions.changes.publish(Change(subject: .run, id: id, ownerUID: owner, state: state?.rawValue))
    }

    // MARK: Start

    /// Checks the request, records its runs (queued) and starts them, `parallel` at a time.
    public func start(_ request: RunRequest, owner: PeerCredentials) async throws(MLGymError) -> RunList {
        guard !stopping else { throw MLGymError(.invalidState, "mlgymd is shutting down; start the run after it restarts") }
        let plan = try await plan(request, owner: owner)
        let campaign = request.campaign ?? "c-" + String(UUID().uuidString.lowercased().prefix(8))
        var stored = request
        stored.apiKey = nil
        stored.campaign = campaign
        let config: Data
        do {
            config = try WireCoding.encoder().encode(stored)
        } catch {
            throw MLGymError(.system, "cannot encode the run's configuration: \(error)")
        }
        guard config.count * request.seeds <= Self.maxConfigurationBytes else {
            throw MLGymError(.invalidArgument, "the request is too large for \(request.seeds) seeds (\(config.count) bytes each); use fewer seeds")
        }
        let records = (request.firstSeed..<request.firstSeed + request.seeds).map { seed in
            AgentRunRecord(
                id: Self.newID(), campaign: campaign, taskID: plan.task.id, model: request.model, seed: seed,
                ownerUID: owner.uid, ownerGID: owner.gid, maxSteps: request.maxSteps, config: config)
        }
        try await store.runs.create(records)
        let ids = records.map(\.id)
        for id in ids {
            controls[id] = RunControl(human: plan.model == .human ? humanProvider(for: id, owner: owner.uid) : nil)
            announce(id, owner: owner.uid, state: .queued)
        }
        let queue = RunQueue(ids)
        let workers = min(request.parallel, ids.count)
        let apiKey = request.apiKey ?? plan.defaultKey
        let accepted = stored
        Task.detached { [self] in
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        while let next = queue.next() {
                            await self.execute(next, request: accepted, apiKey: apiKey, owner: owner, previous: [])
                        }
                    }
                }
            }
        }
        DaemonLog.info("runs \(ids.joined(separator: ", ")) of \(request.model) on \(plan.task.id) queued for uid \(owner.uid)")
        var infos: [RunInfo] = []
        for record in records { infos.append(await info(record)) }
        return RunList(runs: infos)
    }

    struct Plan {
        var task: BenchmarkTask
        var model: ModelSpec
        var defaultKey: String?
    }

    /// Everything that can be wrong with a request, found before anything is recorded.
    func plan(_ request: RunRequest, owner: PeerCredentials) async throws(MLGymError) -> Plan {
        let model = try ModelSpec(parsing: request.model)
        guard (1...1000).contains(request.seeds) else { throw MLGymError(.invalidArgument, "seeds \(request.seeds) must be 1 to 1000") }
        guard (1...64).contains(request.parallel) else { throw MLGymError(.invalidArgument, "parallel \(request.parallel) must be 1 to 64") }
        guard (1...10_000).contains(request.maxSteps) else { throw MLGymError(.invalidArgument, "max steps \(request.maxSteps) must be 1 to 10000") }
        guard (0...1_000_000).contains(request.firstSeed) else { throw MLGymError(.invalidArgument, "first seed \(request.firstSeed) must be 0 to 1000000") }
        if let network = request.network, !["none", "loopback", "packages", "host"].contains(network) {
            throw MLGymError(.invalidArgument, "network '\(network)' must be none, loopback, packages or host")
        }
        guard request.timeLimit.isFinite, (0...30 * 86400).contains(request.timeLimit) else {
            throw MLGymError(.invalidArgument, "time limit \(request.timeLimit) must be 0 (none) to 2592000 seconds")
        }
        if let method = request.method, method.isEmpty || method.count > 128 || TerminalText.hasControlCharacters(method) {
            throw MLGymError(.invalidArgument, "method '\(TerminalText.escaped(method))' must be 1 to 128 characters on one line, without control characters")
        }
        if let campaign = request.campaign, campaign.isEmpty || campaign.count > 128 || TerminalText.hasControlCharacters(campaign) {
            throw MLGymError(.invalidArgument, "campaign '\(TerminalText.escaped(campaign))' must be 1 to 128 characters on one line, without control characters")
        }
        let amounts = [request.costLimit, request.campaignCostLimit, request.price?.inputPerMillion ?? 0, request.price?.outputPerMillion ?? 0]
        guard amounts.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw MLGymError(.invalidArgument, "cost limits and prices must be finite and not negative")
        }
        guard request.temperature.isFinite, request.temperature >= 0, request.topP.isFinite, (0...1).contains(request.topP) else {
            throw MLGymError(.invalidArgument, "temperature must be 0 or more and topP between 0 and 1")
        }
        guard request.noOutputTimeout > 0, request.noOutputTimeout <= 7 * 86400,
              (1000...200_000).contains(request.observationLimit), (1...1000).contains(request.historyKeep)
        else {
            throw MLGymError(.invalidArgument, "noOutputTimeout must be 0 to 604800 seconds, observationLimit 1000 to 200000 characters, historyKeep 1 to 1000")
        }
        if let base = request.apiBase, !(base.hasPrefix("http://") || base.hasPrefix("https://")) {
            throw MLGymError(.invalidArgument, "apiBase '\(base)' must be an http:// or https:// URL")
        }
        let task = try await sessions.runnableTask(request.task)
        if let profile = request.profile, !RunProfile.names.contains(profile) {
            throw MLGymError(.invalidArgument, "profile '\(profile)' must be \(RunProfile.names.joined(separator: " or "))")
        }
        _ = try Self.configuredPrompts(request, task: task)
        var defaultKey: String?
        switch model {
        case .openAI, .anthropic:
            let variable = model.keyVariable ?? ""
            // The daemon's own key goes only to the provider's own endpoint: never to a URL a client chose.
            defaultKey = request.apiBase == nil ? configuration.environmentKeys[variable] : nil
            if request.apiBase == nil, (request.apiKey ?? defaultKey) == nil {
                throw MLGymError(.invalidArgument, "\(request.model) needs an API key: set \(variable) where you run mlgymctl")
            }
            // The lab's key is for runs with a budget, unless root spends it.
            if request.apiKey == nil, defaultKey != nil, !owner.isAdministrator, request.costLimit == 0 {
                throw MLGymError(.invalidArgument, "runs on mlgymd's own \(variable) need a --cost-limit (or bring your own key)")
            }
            if request.costLimit > 0 || request.campaignCostLimit > 0, price(for: request, model: model) == nil {
                throw MLGymError(.invalidArgument, "no price is known for \(model.modelName), so a cost limit cannot be kept: give --price INPUT:OUTPUT (dollars per million tokens) or add the model to mlgymd --prices")
            }
        case .replay:
            guard let responses = request.replayResponses, !responses.isEmpty else {
                throw MLGymError(.invalidArgument, "a replay run needs the trajectory's responses (mlgymctl reads them from the file)")
            }
        case .human:
            guard request.seeds == 1 else { throw MLGymError(.invalidArgument, "a human model runs one seed at a time") }
        }
        return Plan(task: task, model: model, defaultKey: defaultKey)
    }

    func price(for request: RunRequest, model: ModelSpec) -> PriceTable.Price? {
        if let price = request.price {
            let known = configuration.prices.price(for: model.modelName)
            return PriceTable.Price(input: price.inputPerMillion, output: price.outputPerMillion, contextTokens: known?.contextTokens)
        }
        switch model {
        case .openAI, .anthropic: return configuration.prices.price(for: model.modelName)
        case .replay, .human: return nil
        }
    }

    static func newID() -> String {
        String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))
    }

    // MARK: Execute

    /// One run from its (re)start to its end. Never throws: whatever happens ends up in the run's record.
    func execute(_ id: String, request: RunRequest, apiKey: String?, owner: PeerCredentials, previous: [AgentStep]) async {
        guard let control = controls[id] else { return }
        defer { controls[id] = nil }
        guard !control.isStopped, !stopping else {
            await loggedWrite("record run \(id) interrupted") { try await store.runs.end(id, state: .interrupted, exitStatus: "interrupted", message: "stopped before it started", evaluations: nil) }
            announce(id, owner: owner.uid, state: .interrupted)
            return
        }
        let model: ModelSpec
        let task: BenchmarkTask
        let record: AgentRunRecord
        let sessionID: String
        // A resumed run whose lost session took snapshots at its validates starts from the last one, and runs
        // again only the actions committed after it.
        var toReplay = previous
        do {
            model = try ModelSpec(parsing: request.model)
            task = try await sessions.runnableTask(request.task)
            record = try await store.runs.run(id)
            let spec = SessionSpec(
                name: "run-\(id.prefix(8))", task: task.id, memory: request.memory, cpus: request.cpus, gpus: request.gpus,
                network: request.network ?? "packages", memoryScope: request.memoryScope, agentMemory: request.useMemory,
                agentLiterature: request.useMemory || request.useLiterature, snapshotOn: request.snapshotOn)
            if !previous.isEmpty, let lost = record.sessionID, let point = await sessions.resumePoint(of: lost, steps: previous) {
                sessionID = try await sessions.create(spec, owner: owner, fork: point.fork).id
                toReplay = Array(previous[point.nextStep...])
                DaemonLog.info("run \(id): resumed from snapshot \(lost)@\(point.fork.snapshot.number); \(toReplay.count) of \(previous.count) committed actions to run again")
            } else {
                sessionID = try await sessions.create(spec, owner: owner).id
            }
            try await store.runs.start(id, sessionID: sessionID)
            announce(id, owner: owner.uid, state: .running)
        } catch {
            await loggedWrite("record run \(id) failed") { try await store.runs.end(id, state: .failed, exitStatus: nil, message: "the run could not start: \(error.message)", evaluations: nil) }
            announce(id, owner: owner.uid, state: .failed)
            return
        }
        if let live = try? await sessions.liveSession(sessionID, for: owner) {
            live.drivingRun.withLock { $0 = id }
        }
        let environment = SessionAgentEnvironment(manager: sessions, sessionID: sessionID, owner: owner, usesMemory: request.useMemory)
        if !toReplay.isEmpty {
            await replay(toReplay, in: environment, runID: id, limits: Self.limits(request, task: task))
        }
        let provider = self.provider(model, request: request, apiKey: apiKey, seed: record.seed, control: control, runID: id)
        if let replay = provider as? ReplayProvider {
            replay.skip(previous.reduce(0) { $0 + $1.formatErrors + 1 })
        }
        // Checked when the run was planned, so it renders; parsed once here for both the prompts and the limits.
        let configured = (try? Self.configuredPrompts(request, task: task)) ?? nil
        var loop = AgentLoop(
            model: provider, environment: environment,
            recorder: RunRecorder(
                store: store, runID: id, campaign: record.campaign, ownerUID: record.ownerUID, environment: environment,
                changes: sessions.changes),
            prompts: Self.prompts(for: task, request: request, configured: configured),
            configuration: loopConfiguration(request, task: task, model: model, agentConfig: configured?.config),
            taskDescription: task.renderedDescription)
        if request.useMemory { loop.openingMemory = await environment.memoryLines() }
        DaemonLog.info("run \(id) (\(request.model) on \(task.id), seed \(record.seed)) started in session \(sessionID)")
        let ready = loop
        let outcome = await control.run { await ready.run(previous: previous, isStopped: { control.isStopped }) }
        await environment.flushHistory()
        let snapshot = try? WireCoding.encoder().encode(await evaluations(ofSessions: (try? await store.runs.run(id).sessionIDs) ?? [sessionID]))
        let state: AgentRunRecord.State = outcome.reason == .interrupted ? .interrupted : .finished
        await loggedWrite("record the end of run \(id)") { try await store.runs.end(id, state: state, exitStatus: outcome.exitStatus, message: outcome.message, evaluations: snapshot) }
        announce(id, owner: owner.uid, state: state)
        DaemonLog.info("run \(id) \(state.rawValue): \(outcome.exitStatus)\(outcome.message.map { " (\($0))" } ?? "")")
        if let live = try? await sessions.liveSession(sessionID, for: owner) {
            live.drivingRun.withLock { $0 = nil }
        }
        if !request.keepSessions || state == .interrupted {
            _ = try? await sessions.stop(sessionID, for: owner, reason: "its run ended (\(outcome.exitStatus))")
        }
    }

    /// A resumed run: its committed actions run again in its new session, so the workspace is as the agent left
    /// it. validate and submit do nothing meanwhile (MLGYM_REPLAY): their scores are recorded already.
    private func replay(_ steps: [AgentStep], in environment: SessionAgentEnvironment, runID: String, limits: CommandLimits) async {
        var failed = 0
        _ = try? await environment.run("export MLGYM_REPLAY=1", limits: limits)
        for step in steps {
            guard let command = try? HeredocGuard.guarded(step.action, terminators: ACICommandDocs.terminators),
                  let outcome = try? await environment.run(command, limits: limits),
                  outcome.timeout == nil, outcome.exitCode == step.exitCode ?? outcome.exitCode
            else {
                failed += 1
                continue
            }
        }
        _ = try? await environment.run("unset MLGYM_REPLAY", limits: limits)
        await environment.flushHistory()
        DaemonLog.info("run \(runID): \(steps.count) committed actions run again in a new session" + (failed > 0 ? "; \(failed) ended differently than before" : ""))
    }

    private func provider(
        _ model: ModelSpec, request: RunRequest, apiKey: String?, seed: Int, control: RunControl, runID: String
    ) -> any ModelProvider {
        let sampling = Sampling(temperature: request.temperature, topP: request.topP, seed: seed)
        let onRetry: @Sendable (ModelError, Int, Double) -> Void = { error, attempt, delay in
            DaemonLog.warning("run \(runID): model call \(attempt) failed (\(error)); retrying in \(String(format: "%.1f", delay)) s")
        }
        switch model {
        case .openAI(let name):
            let endpoint = APIEndpoint(baseURL: request.apiBase ?? OpenAIChatProvider.defaultBaseURL, apiKey: apiKey, timeout: configuration.modelTimeout)
            return RetryingModel(OpenAIChatProvider(model: name, endpoint: endpoint, sampling: sampling), policy: configuration.retry, onRetry: onRetry)
        case .anthropic(let name):
            let endpoint = APIEndpoint(baseURL: request.apiBase ?? AnthropicProvider.defaultBaseURL, apiKey: apiKey, timeout: configuration.modelTimeout)
            return RetryingModel(AnthropicProvider(model: name, endpoint: endpoint, sampling: sampling), policy: configuration.retry, onRetry: onRetry)
        case .replay:
            return ReplayProvider(responses: request.replayResponses ?? [])
        case .human:
            return control.human ?? HumanProvider()
        }
    }

    static func limits(_ request: RunRequest, task: BenchmarkTask) -> CommandLimits {
        let total = Double(task.config.trainingTimeout)
        if request.profile == RunProfile.parity {
            return CommandLimits(total: total, withoutOutput: min(total, RunProfile.mlgymNoOutputSeconds), shortTotal: RunProfile.mlgymShortSeconds)
        }
        return CommandLimits(total: total, withoutOutput: min(total, request.noOutputTimeout))
    }

    private func loopConfiguration(
        _ request: RunRequest, task: BenchmarkTask, model: ModelSpec, agentConfig config: MLGymAgentConfig?
    ) -> AgentLoopConfiguration {
        let parity = request.profile == RunProfile.parity
        var blocklist = CommandBlocklist.default
        if let config, config.blocklist != nil || config.blocklistStandalone != nil {
            blocklist = CommandBlocklist(
                anywhere: Set(config.blocklist ?? Array(blocklist.anywhere)), standalone: Set(config.blocklistStandalone ?? Array(blocklist.standalone)))
        }
        if parity { blocklist = RunProfile.inertBlocklist }
        var historyKeep = request.historyKeep
        if let config { historyKeep = config.historyKeep ?? Int.max / 2 }
        return AgentLoopConfiguration(
            maxSteps: request.maxSteps, costLimit: request.costLimit, campaignCostLimit: request.campaignCostLimit,
            timeLimit: request.timeLimit, observationLimit: parity ? 0 : request.observationLimit, historyKeep: historyKeep,
            commandLimits: Self.limits(request, task: task), blocklist: blocklist, terminators: ACICommandDocs.terminators,
            price: price(for: request, model: model))
    }

    static func prompts(for task: BenchmarkTask, request: RunRequest, configured: ConfiguredPrompts?) -> AgentPrompts {
        prompts(for: task, usesMemory: request.useMemory, usesLiterature: request.useLiterature, configured: configured)
    }

    static func prompts(
        for task: BenchmarkTask, usesMemory: Bool = false, usesLiterature: Bool = false, configured: ConfiguredPrompts? = nil
    ) -> AgentPrompts {
        let extra = (usesMemory ? ACICommandDocs.memory : []) + (usesMemory || usesLiterature ? ACICommandDocs.literature : [])
        return AgentPrompts(
            commandDocumentation: ACICommandDocs.documentation(window: 1000, extraCommands: extra),
            window: 1000, trainingTimeout: task.config.trainingTimeout, usesMemory: usesMemory, configured: configured)
    }

    /// The run's MLGym agent config, rendered for the task and checked (every template's fields exist); nil for
    /// mlgym's own prompts.
    static func configuredPrompts(_ request: RunRequest, task: BenchmarkTask) throws(MLGymError) -> ConfiguredPrompts? {
        guard let source = request.agentConfig else { return nil }
        let config = try MLGymAgentConfig(name: source.name, text: source.text, files: source.files)
        let prompts = try ConfiguredPrompts(config: config, taskFields: RunProfile.taskFields(task))
        try prompts.check(maxSteps: request.maxSteps, usesMemory: request.useMemory)
        return prompts
    }

    /// The evaluations of every session a run used, in order.
    func evaluations(ofSessions sessionIDs: [String]) async -> [StoredEvaluation] {
        var all: [StoredEvaluation] = []
        for sessionID in sessionIDs {
            all += ((try? await store.evaluations.evaluations(sessionID)) ?? []).map(StoredEvaluation.init)
        }
        return all
    }
}

/// The runs of one request not yet started, taken by its `parallel` workers.
final class RunQueue: Sendable {
    private let pending: Mutex<[String]>

    init(_ ids: [String]) {
        pending = Mutex(ids)
    }

    func next() -> String? {
        pending.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}

/// The part of an evaluation a finished run keeps.
struct StoredEvaluation: Codable, Sendable {
    var kind: String
    var status: String
    var metrics: [String: Double]
    /// Where the evaluated artefact was (absent from snapshots taken before it was kept).
    var artefactPath: String?

    init(_ record: EvaluationRecord) {
        kind = record.kind
        status = record.status
        metrics = record.metrics
        artefactPath = record.artefactPath
    }
}

extension ModelSpec {
    /// The environment variable that holds the provider's key.
    var keyVariable: String? {
        switch self {
        case .openAI: "OPENAI_API_KEY"
        case .anthropic: "ANTHROPIC_API_KEY"
        case .replay, .human: nil
        }
    }
}
