import Foundation
internal import GRDB

/// One agent run as the store keeps it.
public struct AgentRunRecord: Sendable, Equatable, Identifiable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case queued
        case running
        case finished
        case interrupted
        case failed

        public var isActive: Bool { self == .queued || self == .running }
    }

    public var id: String
    public var campaign: String?
    public var taskID: String
    /// The model spec ("openai:gpt-4o").
    public var model: String
    public var seed: Int
    public var ownerUID: UInt32
    /// The owner's gid when the run was asked for (what its agents run as, for a non-root owner).
    public var ownerGID: UInt32
    public var maxSteps: Int
    public var sessionID: String?
    /// Every session the run has used, in order.
    public var sessionIDs: [String]
    public var state: State
    public var exitStatus: String?
    public var message: String?
    /// The run's configuration as JSON (limits, sampling, endpoint); never a key.
    public var config: Data
    public var createdAt: Date
    public var startedAt: Date?
    public var endedAt: Date?
    public var steps: Int
    public var tokensSent: Int
    public var tokensReceived: Int
    public var apiCalls: Int
    public var cost: Double
    /// The run's evaluations as JSON, once it has ended.
    public var evaluations: Data?

    public init(
        id: String, campaign: String?, taskID: String, model: String, seed: Int, ownerUID: UInt32, ownerGID: UInt32,
        maxSteps: Int, config: Data, createdAt: Date = Date()
    ) {
        self.id = id
        self.campaign = campaign
        self.taskID = taskID
        self.model = model
        self.seed = seed
        self.ownerUID = ownerUID
        self.ownerGID = ownerGID
        self.maxSteps = maxSteps
        self.sessionID = nil
        self.sessionIDs = []
        self.state = .queued
        self.exitStatus = nil
        self.message = nil
        self.config = config
        self.createdAt = createdAt
        self.startedAt = nil
        self.endedAt = nil
        self.steps = 0
        self.tokensSent = 0
        self.tokensReceived = 0
        self.apiCalls = 0
        self.cost = 0
        self.evaluations = nil
    }

    static let selection = """
        id, campaign, task_id, model, seed, owner_uid, owner_gid, max_steps, session_id, session_ids, state, exit_status, message, config, created_at, \
        started_at, ended_at, steps, tokens_sent, tokens_received, api_calls, cost, evaluations
        """

    init(row: Row) throws {
        let configText: String = try row.decode(forColumn: "config")
        self.init(
            id: try row.decode(forColumn: "id"), campaign: try row.decode(forColumn: "campaign"),
            taskID: try row.decode(forColumn: "task_id"), model: try row.decode(forColumn: "model"),
            seed: try row.decode(forColumn: "seed"), ownerUID: try row.decode(forColumn: "owner_uid"),
            ownerGID: try row.decode(forColumn: "owner_gid"), maxSteps: try row.decode(forColumn: "max_steps"),
            config: Data(configText.utf8), createdAt: Date(unixMilliseconds: try row.decode(forColumn: "created_at")))
        sessionID = try row.decode(forColumn: "session_id")
        let sessionsText: String = try row.decode(forColumn: "session_ids")
        sessionIDs = (try? JSONDecoder().decode([String].self, from: Data(sessionsText.utf8))) ?? []
        let stateText: String = try row.decode(forColumn: "state")
        state = State(rawValue: stateText) ?? .failed
        exitStatus = try row.decode(forColumn: "exit_status")
        message = try row.decode(forColumn: "message")
        let started: Int64? = try row.decode(forColumn: "started_at")
        startedAt = started.map(Date.init(unixMilliseconds:))
        let ended: Int64? = try row.decode(forColumn: "ended_at")
        endedAt = ended.map(Date.init(unixMilliseconds:))
        steps = try row.decode(forColumn: "steps")
        tokensSent = try row.decode(forColumn: "tokens_sent")
        tokensReceived = try row.decode(forColumn: "tokens_received")
        apiCalls = try row.decode(forColumn: "api_calls")
        cost = try row.decode(forColumn: "cost")
        let evaluationsText: String? = try row.decode(forColumn: "evaluations")
        evaluations = evaluationsText.map { Data($0.utf8) }
    }
}

/// One committed step: its number, the step as JSON, and what it adds to the run's totals.
public struct RunStepRecord: Sendable, Equatable {
    public var runID: String
    public var step: Int
    public var data: Data
    public var inputTokens: Int
    public var outputTokens: Int
    public var apiCalls: Int
    public var cost: Double

    public init(runID: String, step: Int, data: Data, inputTokens: Int, outputTokens: Int, apiCalls: Int, cost: Double) {
        self.runID = runID
        self.step = step
        self.data = data
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.apiCalls = apiCalls
        self.cost = cost
    }
}
