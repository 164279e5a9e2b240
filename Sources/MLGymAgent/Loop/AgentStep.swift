import Foundation

/// One turn of a run, as it is committed: what the model said, what ran, what the agent was shown, and what it
/// took in time, tokens and money.
public struct AgentStep: Codable, Sendable, Equatable {
    /// 1-based.
    public var index: Int
    public var thought: String
    public var action: String
    /// What the agent was shown (after the size cap), without the footer.
    public var observation: String
    /// The model's whole reply.
    public var response: String
    /// The state after the action (open file, working directory).
    public var state: AgentState
    public var startedAt: Date
    /// Time waiting for the model, retries included.
    public var modelMs: Int64
    /// Time the action ran in the session.
    public var executionMs: Int64
    /// The whole step: model, parsing, running, recording.
    public var stepMs: Int64
    public var inputTokens: Int
    public var outputTokens: Int
    public var cost: Double
    /// Replies rejected before this one (no block, two blocks, a refused program).
    public var formatErrors: Int
    public var exitCode: Int32?
    /// The action's change to a file as a unified diff, when it was an `edit` or `insert` that was applied.
    public var edit: String?

    public init(
        index: Int, thought: String, action: String, observation: String, response: String, state: AgentState,
        startedAt: Date, modelMs: Int64, executionMs: Int64, stepMs: Int64, inputTokens: Int, outputTokens: Int,
        cost: Double, formatErrors: Int, exitCode: Int32?, edit: String? = nil
    ) {
        self.edit = edit
        self.index = index
        self.thought = thought
        self.action = action
        self.observation = observation
        self.response = response
        self.state = state
        self.startedAt = startedAt
        self.modelMs = modelMs
        self.executionMs = executionMs
        self.stepMs = stepMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
        self.formatErrors = formatErrors
        self.exitCode = exitCode
    }
}

/// Commits what a run does, as it happens.
public protocol AgentRecorder: Sendable {
    /// Commits a step before the next model call.
    func record(_ step: AgentStep) async throws
    /// A model call failed and will be retried, or a reply was rejected: worth a line in the run's log.
    func note(_ message: String) async
    /// Dollars spent by every run of the campaign so far (for the campaign-wide limit); 0 without one.
    func campaignCost() async -> Double
    /// Model calls that belong to no recorded step (a run that ended on rejected replies, or was stopped after
    /// a reply): their tokens and cost still count.
    func addUsage(inputTokens: Int, outputTokens: Int, apiCalls: Int, cost: Double) async
}
