import Foundation

/// A provider with MLGym's retry rule: rate limits, server errors and missing answers are retried with
/// exponential backoff (the API's `Retry-After` wins when it gives one); a bad key, a bad request or an
/// overlong context ends at once.
public struct RetryingModel: ModelProvider {
    public struct Policy: Sendable, Equatable {
        /// Calls in all, the first included (MLGym: 10).
        public var maxAttempts: Int
        /// The first wait; each next one doubles, up to `maxDelay`, with ±25% jitter.
        public var baseDelay: Double
        public var maxDelay: Double

        public init(maxAttempts: Int = 10, baseDelay: Double = 2, maxDelay: Double = 120) {
            self.maxAttempts = maxAttempts
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
        }

        /// Seconds before attempt `attempt + 1` (attempt counts from 1).
        func delay(after attempt: Int, error: ModelError) -> Double {
            if case .rateLimited(_, let retryAfter?) = error, retryAfter.isFinite, retryAfter >= 0 { return min(retryAfter, maxDelay) }
            let exponential = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
            return exponential * Double.random(in: 0.75...1.25)
        }
    }

    public let inner: any ModelProvider
    public let policy: Policy
    /// Told about each failed attempt that will be retried (the run logs it as an event).
    public let onRetry: @Sendable (ModelError, _ attempt: Int, _ delay: Double) -> Void

    public init(_ inner: any ModelProvider, policy: Policy, onRetry: @escaping @Sendable (ModelError, Int, Double) -> Void = { _, _, _ in }) {
        self.inner = inner
        self.policy = policy
        self.onRetry = onRetry
    }

    public func complete(_ messages: [ChatMessage]) async throws(ModelError) -> ModelReply {
        var attempt = 1
        while true {
            do {
                return try await inner.complete(messages)
            } catch {
                guard error.isRetryable, attempt < policy.maxAttempts else { throw error }
                let delay = policy.delay(after: attempt, error: error)
                onRetry(error, attempt, delay)
                do {
                    try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
                } catch {
                    throw .cancelled
                }
                attempt += 1
            }
        }
    }
}
