import Foundation
import MLGymAPI
import MLGymAgent
import MLGymCore
import MLGymScore
import MLGymStore
import MLGymTasks

extension RunManager {
    /// Finds a run by id or unique id prefix, and checks that `peer` may see it.
    func resolve(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> AgentRunRecord {
        let record: AgentRunRecord
        do {
            record = try await store.runs.run(reference)
        } catch let error where error.code == .notFound {
            let candidates = try await store.runs.runs(idPrefix: reference, ownerUID: peer.isAdministrator ? nil : peer.uid)
            record = try ReferenceLookup.single(candidates, reference: reference, noun: "run", listCommand: "mlgymctl runs")
        }
        try ReferenceLookup.authorize(owner: record.ownerUID, id: record.id, noun: "run", for: peer)
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
            // The prompts the run had: an agent config's, when it ran with one.
            let request = try? WireCoding.decoder().decode(RunRequest.self, from: record.config)
            let prompts = request.map { Self.prompts(for: task, request: $0, configured: (try? Self.configuredPrompts($0, task: task)) ?? nil) }
                ?? Self.prompts(for: task)
            opening = prompts.opening(description: task.renderedDescription, maxSteps: record.maxSteps)
        }
        return RunTrajectory(
            run: await info(record), systemPrompt: opening.first?.content ?? "", taskPrompt: opening.last?.content ?? "", steps: steps)
    }

    /// The run's method and GPUs, decoded from its configuration the first time they are asked for (the
    /// configuration never changes once stored).
    func labels(of record: AgentRunRecord) -> RunLabels {
        if let known = labels[record.id] { return known }
        let decoded = (try? WireCoding.decoder().decode(RunLabels.self, from: record.config)) ?? RunLabels()
        labels[record.id] = decoded
        return decoded
    }

    /// The API's view of a run: its record, with the scores of every session it used (live while it runs, the
    /// copy kept at its end afterwards) and MLGym's per-run Best Attempt and Submission.
    func info(_ record: AgentRunRecord) async -> RunInfo {
        let task = try? sessions.tasks?.task(record.taskID)
        let evaluations: [StoredEvaluation]
        if let snapshot = record.evaluations, !record.state.isActive {
            evaluations = (try? WireCoding.decoder().decode([StoredEvaluation].self, from: snapshot)) ?? []
        } else {
            evaluations = await self.evaluations(ofSessions: record.sessionIDs)
        }
        let scored = evaluations.filter { $0.kind != "baseline" && $0.status == EvaluationOutcome.Status.succeeded.rawValue }
        let metric = task?.config.rankingMetric
        let direction = task?.config.metricDirection ?? .max
        let stored = labels(of: record)
        let method = stored.method ?? record.model
        let scoring = RunRecord(
            id: record.id, task: record.taskID, method: method, metric: metric ?? "", direction: direction,
            evaluations: scored.map { .init(kind: RunRecord.Evaluation.Kind(rawValue: $0.kind) ?? .validate, metrics: $0.metrics) })
        return RunInfo(
            id: record.id, campaign: record.campaign, task: record.taskID, model: record.model, method: method, seed: record.seed,
            session: record.sessionID, state: record.state.rawValue, exitStatus: record.exitStatus, message: record.message,
            steps: record.steps, maxSteps: record.maxSteps, tokensSent: record.tokensSent,
            tokensReceived: record.tokensReceived, apiCalls: record.apiCalls, cost: record.cost, metric: metric,
            direction: direction.rawValue, scores: scored.map(\.metrics),
            bestAttempt: metric == nil ? nil : BestOf.bestAttempt(of: scoring),
            submission: metric == nil ? nil : BestOf.submission(of: scoring),
            baseline: task?.config.baselineScores.first, awaitingInput: controls[record.id]?.human?.isWaiting ?? false,
            createdAt: record.createdAt, startedAt: record.startedAt, endedAt: record.endedAt, gpus: stored.gpus,
            settings: RunInfo.Settings(
                temperature: stored.temperature, topP: stored.topP, costLimit: stored.costLimit, agentConfig: stored.agentConfig?.name,
                campaignCostLimit: stored.campaignCostLimit, timeLimit: stored.timeLimit),
            submissionPath: evaluations.last { $0.kind == "submit" && $0.status == EvaluationOutcome.Status.succeeded.rawValue }?.artefactPath)
    }
}

/// The fields of a run's stored `RunRequest` that every view of the run shows.
struct RunLabels: Decodable {
    var method: String?
    var gpus: String?
    var temperature: Double?
    var topP: Double?
    var costLimit: Double?
    var campaignCostLimit: Double?
    var timeLimit: Double?
    var agentConfig: ConfigName?

    struct ConfigName: Decodable {
        var name: String
    }
}
