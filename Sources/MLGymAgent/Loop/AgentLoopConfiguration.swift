/// The limits and choices of one run.
public struct AgentLoopConfiguration: Sendable, Equatable {
    /// Actions before the run is auto-submitted (MLGym-Bench used 50).
    public var maxSteps: Int
    /// Dollars this run may spend on its model; 0 for no limit (MLGym-Bench used 4).
    public var costLimit: Double
    /// Dollars every run of the campaign together may spend; 0 for no limit.
    public var campaignCostLimit: Double
    /// Seconds of wall time from the loop's start (or restart, for a resumed run); 0 for no limit. Checked
    /// between steps, like MLGym's cost limit: a running command is not cut short by it.
    public var timeLimit: Double
    /// Characters of one output the agent is shown before its middle is cut.
    public var observationLimit: Int
    /// Observations kept whole in what the model sees (MLGym: 5).
    public var historyKeep: Int
    /// Rejected replies in a row before the run ends with exit_format (MLGym: 3 parses, so 2 retries).
    public var maxFormatRetries: Int
    public var commandLimits: CommandLimits
    public var blocklist: CommandBlocklist
    /// Multi-line commands and their terminator lines.
    public var terminators: [String: String]
    /// The model's price, when known (costs are 0 otherwise).
    public var price: PriceTable.Price?

    public init(
        maxSteps: Int = 50, costLimit: Double = 0, campaignCostLimit: Double = 0, timeLimit: Double = 0, observationLimit: Int = 20_000,
        historyKeep: Int = 5, maxFormatRetries: Int = 2, commandLimits: CommandLimits, blocklist: CommandBlocklist = .default,
        terminators: [String: String], price: PriceTable.Price? = nil
    ) {
        self.maxSteps = maxSteps
        self.costLimit = costLimit
        self.campaignCostLimit = campaignCostLimit
        self.timeLimit = timeLimit
        self.observationLimit = observationLimit
        self.historyKeep = historyKeep
        self.maxFormatRetries = maxFormatRetries
        self.commandLimits = commandLimits
        self.blocklist = blocklist
        self.terminators = terminators
        self.price = price
    }
}
