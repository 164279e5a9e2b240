public import MLGymCore

/// What a method spent per run on average: MLGym's "average cost per run" (tokens × list price) and the tokens.
public struct MethodCost: Sendable, Equatable, Codable {
    public let method: String
    /// Runs the averages are over (nil when the cost came from a published table that does not say).
    public let runs: Int?
    /// Mean dollars per run; nil when no run has a price.
    public let dollarsPerRun: Double?
    public let tokensSentPerRun: Double?
    public let tokensReceivedPerRun: Double?

    public init(
        method: String, runs: Int? = nil, dollarsPerRun: Double?, tokensSentPerRun: Double? = nil,
        tokensReceivedPerRun: Double? = nil
    ) {
        self.method = method
        self.runs = runs
        self.dollarsPerRun = dollarsPerRun
        self.tokensSentPerRun = tokensSentPerRun
        self.tokensReceivedPerRun = tokensReceivedPerRun
    }

    /// Averages the usage of `runs` per method. Every run counts, failed ones too: they were paid for. Dollars are
    /// averaged over the runs that have a price.
    public static func fromRuns(_ runs: [RunRecord]) -> [String: MethodCost] {
        Dictionary(grouping: runs, by: \.method).mapValues { group in
            let usages = group.compactMap(\.usage)
            let dollars = usages.compactMap(\.dollars)
            func mean(_ values: [Double]) -> Double? {
                values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
            }
            return MethodCost(
                method: group[0].method, runs: group.count,
                dollarsPerRun: mean(dollars),
                tokensSentPerRun: mean(usages.map { Double($0.tokensSent) }),
                tokensReceivedPerRun: mean(usages.map { Double($0.tokensReceived) }))
        }
    }
}
