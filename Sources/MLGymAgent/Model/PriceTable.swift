import Foundation

/// Dollars per million tokens, and the context window, per model: what turns the API's token counts into a
/// run's cost (and what the cost limits are checked against). Built-in list prices, which a lab extends or
/// overrides with `mlgymd --prices FILE` (the same JSON shape) or per run.
public struct PriceTable: Sendable, Equatable {
    public struct Price: Codable, Sendable, Equatable {
        /// Dollars per million input (prompt) tokens.
        public var input: Double
        /// Dollars per million output (completion) tokens.
        public var output: Double
        /// The model's context window in tokens, when known (runs end with exit_context before passing it).
        public var contextTokens: Int?

        public init(input: Double, output: Double, contextTokens: Int? = nil) {
            self.input = input
            self.output = output
            self.contextTokens = contextTokens
        }

        enum CodingKeys: String, CodingKey {
            case input = "input_per_mtok"
            case output = "output_per_mtok"
            case contextTokens = "context_tokens"
        }

        public func dollars(inputTokens: Int, outputTokens: Int) -> Double {
            (Double(inputTokens) * input + Double(outputTokens) * output) / 1_000_000
        }
    }

    public var prices: [String: Price]

    public init(prices: [String: Price]) {
        self.prices = prices
    }

    /// List prices at the time of writing (USD per million tokens); dated snapshots of a model match by prefix.
    public static let builtIn = PriceTable(prices: [
        "gpt-4o": Price(input: 2.5, output: 10, contextTokens: 128_000),
        "gpt-4o-mini": Price(input: 0.15, output: 0.6, contextTokens: 128_000),
        "gpt-4.1": Price(input: 2, output: 8, contextTokens: 1_047_576),
        "gpt-4.1-mini": Price(input: 0.4, output: 1.6, contextTokens: 1_047_576),
        "o1": Price(input: 15, output: 60, contextTokens: 200_000),
        "o3": Price(input: 2, output: 8, contextTokens: 200_000),
        "o3-mini": Price(input: 1.1, output: 4.4, contextTokens: 200_000),
        "o4-mini": Price(input: 1.1, output: 4.4, contextTokens: 200_000),
        "claude-3-5-sonnet": Price(input: 3, output: 15, contextTokens: 200_000),
        "claude-3-5-haiku": Price(input: 0.8, output: 4, contextTokens: 200_000),
        "claude-3-7-sonnet": Price(input: 3, output: 15, contextTokens: 200_000),
        "claude-sonnet-4": Price(input: 3, output: 15, contextTokens: 200_000),
        "claude-opus-4": Price(input: 15, output: 75, contextTokens: 200_000),
        "gemini-1.5-pro": Price(input: 1.25, output: 5, contextTokens: 2_000_000),
    ])

    /// The price of `model`: an exact entry, else the entry it is a dated snapshot of ("gpt-4o-2024-08-06" →
    /// "gpt-4o", "claude-sonnet-4-20250514" → "claude-sonnet-4") or the `-latest` alias of; nil when none
    /// matches. Only a date or `latest` may follow: "o3-pro" is not "o3", and "gpt-4.1-nano" is not "gpt-4.1".
    public func price(for model: String) -> Price? {
        if let exact = prices[model] { return exact }
        let base = model.split(separator: "/").last.map(String.init) ?? model
        if let exact = prices[base] { return exact }
        return prices.keys.filter { key in
            guard base.hasPrefix(key + "-") else { return false }
            let suffix = base.dropFirst(key.count + 1)
            return suffix == "latest" || suffix.first?.isNumber == true && suffix.allSatisfy { $0.isNumber || $0 == "-" }
        }.max { $0.count < $1.count }.flatMap { prices[$0] }
    }

    /// This table with `other`'s entries added or replacing its own.
    public func merging(_ other: PriceTable) -> PriceTable {
        PriceTable(prices: prices.merging(other.prices) { _, new in new })
    }

    /// Reads a JSON object of model name → `{"input_per_mtok": …, "output_per_mtok": …, "context_tokens": …}`.
    public static func load(_ data: Data) throws -> PriceTable {
        PriceTable(prices: try JSONDecoder().decode([String: Price].self, from: data))
    }
}
