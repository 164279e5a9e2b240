import Foundation
import MLGymACI
import MLGymAPI
import MLGymAgent
import MLGymCore
import MLGymScore
import MLGymStore
import MLGymTasks
import Synchronization

/// Runs agents on tasks: each run gets a task session of its own, a model provider, and the agent loop; its
/// steps are committed as they happen. Runs belong to the uid that asked for them, like sessions.
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

    let sessions: SessionManager
    let store: Store
    let configuration: Configuration
    private var controls: [String: RunControl] = [:]
    private var stopping = false

    init(sessions: SessionManager, store: Store, configuration: Configuration) {
        self.sessions = sessions
        self.store = store
        self.configuration = configuration
    }

    // MARK: Start

    /// Checks the request, records its runs (queued) and starts them, `parallel` at a time.
    public func start(_ request: RunRequest, owner: PeerCredentials) async throws(MLGymError) -> RunList {
        guard !stopping else { throw MLGymError(.invalidState, "mlgymd is shutting down; start the run after it restarts") }
        let plan = try await plan(request)
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
        let records = (0..<request.seeds).map { seed in
            AgentRunRecord(
                id: Self.newID(), campaign: campaign, taskID: plan.task.id, model: request.model, seed: seed,
                ownerUID: owner.uid, config: config)
        }
        try await store.runs.create(records)
        let ids = records.map(\.id)
        for id in ids { controls[id] = RunControl(human: plan.model == .human ? HumanProvider() : nil) }
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

    private struct Plan {
        var task: BenchmarkTask
        var model: ModelSpec
        var defaultKey: String?
    }

    /// Everything that can be wrong with a request, found before anything is recorded.
    private func plan(_ request: RunRequest) async throws(MLGymError) -> Plan {
        let model = try ModelSpec(parsing: request.model)
        guard (1...1000).contains(request.seeds) else { throw MLGymError(.invalidArgument, "seeds \(request.seeds) must be 1 to 1000") }
        guard (1...64).contains(request.parallel) else { throw MLGymError(.invalidArgument, "parallel \(request.parallel) must be 1 to 64") }
        guard (1...10_000).contains(request.maxSteps) else { throw MLGymError(.invalidArgument, "max steps \(request.maxSteps) must be 1 to 10000") }
        guard request.costLimit >= 0, request.campaignCostLimit >= 0 else { throw MLGymError(.invalidArgument, "cost limits cannot be negative") }
        guard request.noOutputTimeout > 0, request.observationLimit >= 1000, request.historyKeep >= 1 else {
            throw MLGymError(.invalidArgument, "noOutputTimeout must be positive, observationLimit at least 1000 characters, historyKeep at least 1")
        }
        let task = try await sessions.runnableTask(request.task)
        var defaultKey: String?
        switch model {
        case .openAI, .anthropic:
            let variable = model.keyVariable ?? ""
            // The daemon's own key goes only to the provider's own endpoint: never to a URL a client chose.
            defaultKey = request.apiBase == nil ? configuration.environmentKeys[variable] : nil
            // A custom endpoint (vLLM, Ollama, a test server) may need no key; the providers' own always do.
            if request.apiBase == nil, (request.apiKey ?? defaultKey) == nil {
                throw MLGymError(.invalidArgument, "\(request.model) needs an API key: set \(variable) where you run mlgymctl")
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

    private func price(for request: RunRequest, model: ModelSpec) -> PriceTable.Price? {
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
    private func execute(_ id: String, request: RunRequest, apiKey: String?, owner: PeerCredentials, previous: [AgentStep], reuseSession: String? = nil) async {
        guard let control = controls[id] else { return }
        defer { controls[id] = nil }
        guard !control.isStopped, !stopping else {
            try? await store.runs.end(id, state: .interrupted, exitStatus: "interrupted", message: "stopped before it started", evaluations: nil)
            return
        }
        let model: ModelSpec
        let task: BenchmarkTask
        let record: AgentRunRecord
        do {
            model = try ModelSpec(parsing: request.model)
            task = try await sessions.runnableTask(request.task)
            record = try await store.runs.run(id)
        } catch {
            try? await store.runs.end(id, state: .failed, exitStatus: nil, message: error.message, evaluations: nil)
            return
        }
        // The session: the run's own, still running, or a new one that gets the committed actions again.
        let sessionID: String
        if let reuseSession {
            sessionID = reuseSession
        } else {
            do {
                let spec = SessionSpec(name: "run-\(id.prefix(8))", task: task.id, memory: request.memory, cpus: request.cpus, gpus: request.gpus)
                sessionID = try await sessions.create(spec, owner: owner).id
            } catch {
                try? await store.runs.end(id, state: .failed, exitStatus: nil, message: "the run's session could not start: \(error.message)", evaluations: nil)
                return
            }
        }
        do {
            try await store.runs.start(id, sessionID: sessionID)
        } catch {
            try? await store.runs.end(id, state: .failed, exitStatus: nil, message: error.message, evaluations: nil)
            return
        }
        let environment = SessionAgentEnvironment(manager: sessions, sessionID: sessionID, owner: owner)
        if reuseSession == nil, !previous.isEmpty {
            await replay(previous, in: environment, runID: id, limits: Self.limits(request, task: task))
        }
        let provider = self.provider(model, request: request, apiKey: apiKey, seed: record.seed, control: control, runID: id)
        if let replay = provider as? ReplayProvider {
            replay.skip(previous.reduce(0) { $0 + $1.formatErrors + 1 })
        }
        let loop = AgentLoop(
            model: provider, environment: environment, recorder: RunRecorder(store: store, runID: id, campaign: record.campaign),
            prompts: Self.prompts(for: task), configuration: loopConfiguration(request, task: task, model: model),
            taskDescription: task.renderedDescription)
        DaemonLog.info("run \(id) (\(request.model) on \(task.id), seed \(record.seed)) started in session \(sessionID)")
        let outcome = await loop.run(previous: previous, isStopped: { control.isStopped })
        let evaluations = try? await store.evaluations.evaluations(sessionID)
        let snapshot = evaluations.flatMap { try? WireCoding.encoder().encode($0.map(StoredEvaluation.init)) }
        let state: AgentRunRecord.State = outcome.reason == .interrupted ? .interrupted : .finished
        try? await store.runs.end(id, state: state, exitStatus: outcome.exitStatus, message: outcome.message, evaluations: snapshot)
        DaemonLog.info("run \(id) \(state.rawValue): \(outcome.exitStatus)\(outcome.message.map { " (\($0))" } ?? "")")
        if !request.keepSessions || state == .interrupted {
            _ = try? await sessions.stop(sessionID, for: owner, reason: "its run ended (\(outcome.exitStatus))")
        }
    }

    /// A resumed run whose session is gone: its committed actions run again in the new session (evaluations
    /// are not repeated), so the workspace is as the agent left it.
    private func replay(_ steps: [AgentStep], in environment: SessionAgentEnvironment, runID: String, limits: CommandLimits) async {
        for step in steps {
            let program = step.action.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
            guard !["validate", "submit"].contains(program) else { continue }
            guard let command = try? HeredocGuard.guarded(step.action, terminators: ACICommandDocs.terminators) else { continue }
            _ = try? await environment.run(command, limits: limits)
        }
        DaemonLog.info("run \(runID): \(steps.count) committed actions run again in a new session")
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
        return CommandLimits(total: total, withoutOutput: min(total, request.noOutputTimeout))
    }

    private func loopConfiguration(_ request: RunRequest, task: BenchmarkTask, model: ModelSpec) -> AgentLoopConfiguration {
        AgentLoopConfiguration(
            maxSteps: request.maxSteps, costLimit: request.costLimit, campaignCostLimit: request.campaignCostLimit,
            observationLimit: request.observationLimit, historyKeep: request.historyKeep,
            commandLimits: Self.limits(request, task: task), terminators: ACICommandDocs.terminators,
            price: price(for: request, model: model))
    }

    static func prompts(for task: BenchmarkTask) -> AgentPrompts {
        AgentPrompts(
            commandDocumentation: ACICommandDocs.documentation(window: 1000), window: 1000,
            trainingTimeout: task.config.trainingTimeout)
    }

    // MARK: Control

    /// Stops a run: no more model calls, its session stopped (which ends a running command at once). Returns
    /// when the run has recorded its end.
    public func stop(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> RunInfo {
        let record = try await resolve(reference, for: peer)
        if let control = controls[record.id] {
            control.stop()
            if let sessionID = try? await store.runs.run(record.id).sessionID {
                _ = try? await sessions.stop(sessionID, for: peer, reason: "its run was stopped")
            }
            for _ in 0..<200 where controls[record.id] != nil {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        return try await describe(record.id, for: peer)
    }

    /// Continues an interrupted run from its last committed step.
    public func resume(_ reference: String, apiKey: String?, for peer: PeerCredentials) async throws(MLGymError) -> RunInfo {
        guard !stopping else { throw MLGymError(.invalidState, "mlgymd is shutting down; resume the run after it restarts") }
        let record = try await resolve(reference, for: peer)
        guard record.state == .interrupted else {
            throw MLGymError(.invalidState, "run \(record.id) is \(record.state.rawValue); only an interrupted run can be resumed")
        }
        guard controls[record.id] == nil else { throw MLGymError(.invalidState, "run \(record.id) is being resumed already") }
        let request: RunRequest
        do {
            request = try WireCoding.decoder().decode(RunRequest.self, from: record.config)
        } catch {
            throw MLGymError(.system, "run \(record.id)'s configuration cannot be read: \(error)")
        }
        let plan = try await plan(request)
        let previous = try await RunRecorder.steps(of: record.id, in: store)
        // Its session, when that is still running (a run stopped by a failed model call keeps it only with
        // --keep); otherwise a new one.
        var reuse: String?
        if let sessionID = record.sessionID, (try? await sessions.describe(sessionID, for: peer))?.state == "running" {
            reuse = sessionID
        }
        try await store.runs.requeue(record.id)
        let control = RunControl(human: plan.model == .human ? HumanProvider() : nil)
        controls[record.id] = control
        let key = apiKey ?? plan.defaultKey
        let owner = PeerCredentials(pid: peer.pid, uid: record.ownerUID, gid: peer.uid == record.ownerUID ? peer.gid : record.ownerUID)
        Task.detached { [self] in
            await self.execute(record.id, request: request, apiKey: key, owner: owner, previous: previous, reuseSession: reuse)
        }
        DaemonLog.info("run \(record.id) resumed after \(previous.count) steps \(reuse == nil ? "in a new session" : "in session \(reuse!)")")
        return try await describe(record.id, for: peer)
    }

    /// The next action of a human-driven run.
    public func input(_ reference: String, action: String, for peer: PeerCredentials) async throws(MLGymError) {
        let record = try await resolve(reference, for: peer)
        guard let human = controls[record.id]?.human else {
            throw MLGymError(.invalidState, "run \(record.id) is not a running human run")
        }
        human.provide(action)
    }

    // MARK: Lifecycle

    /// At start: the previous daemon's active runs are interrupted (their steps are all kept).
    public func recover() async throws(MLGymError) -> [String] {
        try await store.runs.interruptActive(
            reason: "mlgymd stopped while the run was active; continue it with mlgymctl run --resume ID")
    }

    /// At shutdown: every run stops (its session too) and records `interrupted`.
    public func shutdown() async {
        stopping = true
        let active = controls
        for control in active.values { control.stop() }
        for _ in 0..<200 where !controls.isEmpty {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: Read

    func resolve(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> AgentRunRecord {
        let record: AgentRunRecord
        do {
            record = try await store.runs.run(reference)
        } catch let error where error.code == .notFound {
            let candidates = try await store.runs.runs(ownerUID: peer.isAdministrator ? nil : peer.uid).filter { $0.id.hasPrefix(reference) }
            guard !reference.isEmpty, candidates.count == 1, let only = candidates.first else {
                if candidates.count > 1 { throw MLGymError(.invalidArgument, "'\(reference)' matches \(candidates.count) runs; give more of the id") }
                throw MLGymError(.notFound, "no run '\(reference)' (mlgymctl runs lists them)")
            }
            record = only
        }
        guard peer.isAdministrator || record.ownerUID == peer.uid else {
            throw MLGymError(.permissionDenied, "run \(record.id) belongs to uid \(record.ownerUID)")
        }
        return record
    }

    public func describe(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> RunInfo {
        await info(try await resolve(reference, for: peer))
    }

    public func list(campaign: String?, task: String?, model: String?, for peer: PeerCredentials) async throws(MLGymError) -> RunList {
        let records = try await store.runs.runs(ownerUID: peer.isAdministrator ? nil : peer.uid, campaign: campaign, taskID: task, model: model)
        var infos: [RunInfo] = []
        for record in records { infos.append(await info(record)) }
        return RunList(runs: infos)
    }

    public func trajectory(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> RunTrajectory {
        let record = try await resolve(reference, for: peer)
        let decoder = WireCoding.decoder()
        let steps = try await store.runs.steps(record.id).map { data throws(MLGymError) in
            do {
                return try decoder.decode(RunStepInfo.self, from: data)
            } catch {
                throw MLGymError(.system, "a step of run \(record.id) cannot be read: \(error)")
            }
        }
        var opening: [ChatMessage] = []
        if let task = try? sessions.tasks?.task(record.taskID) {
            opening = Self.prompts(for: task).opening(description: task.renderedDescription, maxSteps: Self.request(of: record)?.maxSteps ?? 50)
        }
        let systemPrompt = opening.first?.content ?? ""
        let taskPrompt = opening.last?.content ?? ""
        return RunTrajectory(run: await info(record), systemPrompt: systemPrompt, taskPrompt: taskPrompt, steps: steps)
    }

    static func request(of record: AgentRunRecord) -> RunRequest? {
        try? WireCoding.decoder().decode(RunRequest.self, from: record.config)
    }

    func info(_ record: AgentRunRecord) async -> RunInfo {
        let task = try? sessions.tasks?.task(record.taskID)
        var evaluations: [StoredEvaluation] = []
        if let snapshot = record.evaluations {
            evaluations = (try? WireCoding.decoder().decode([StoredEvaluation].self, from: snapshot)) ?? []
        } else if let sessionID = record.sessionID, let live = try? await store.evaluations.evaluations(sessionID) {
            evaluations = live.map(StoredEvaluation.init)
        }
        let scored = evaluations.filter { $0.kind != "baseline" && $0.status == EvaluationOutcome.Status.succeeded.rawValue }
        let metric = task?.config.rankingMetric
        let direction = task?.config.metricDirection ?? .max
        let scoring = RunRecord(
            id: record.id, task: record.taskID, method: record.model, metric: metric ?? "", direction: direction,
            evaluations: scored.map { .init(kind: RunRecord.Evaluation.Kind(rawValue: $0.kind) ?? .validate, metrics: $0.metrics) })
        return RunInfo(
            id: record.id, campaign: record.campaign, task: record.taskID, model: record.model, seed: record.seed,
            session: record.sessionID, state: record.state.rawValue, exitStatus: record.exitStatus, message: record.message,
            steps: record.steps, maxSteps: Self.request(of: record)?.maxSteps ?? 0, tokensSent: record.tokensSent,
            tokensReceived: record.tokensReceived, apiCalls: record.apiCalls, cost: record.cost, metric: metric,
            direction: direction.rawValue, scores: scored.map(\.metrics),
            bestAttempt: metric == nil ? nil : BestOf.bestAttempt(of: scoring),
            submission: metric == nil ? nil : BestOf.submission(of: scoring),
            baseline: task?.config.baselineScores.first, awaitingInput: controls[record.id]?.human?.isWaiting ?? false,
            createdAt: record.createdAt, startedAt: record.startedAt, endedAt: record.endedAt)
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

    init(_ record: EvaluationRecord) {
        kind = record.kind
        status = record.status
        metrics = record.metrics
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
