/// Why a model call failed, sorted by what the run does about it: retry (rate limits, server errors, no answer)
/// or end (bad key, bad request, context too long).
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401/403: the key is missing or wrong. Never retried.
    case authentication(String)
    /// 400/404/422: the request itself is wrong (unknown model, bad parameter). Never retried.
    case badRequest(String)
    /// The conversation no longer fits the model's context window.
    case contextExceeded(String)
    /// 429, retried after `retryAfter` seconds when the API says so.
    case rateLimited(String, retryAfter: Double?)
    /// 5xx (and 408, 529): the provider's trouble, retried.
    case server(Int, String)
    /// No answer at all (refused, reset, timed out), retried.
    case unreachable(String)
    /// An answer that does not parse as the protocol's success shape. Retried: proxies sometimes garble one.
    case malformed(String)
    /// A replay has no more actions.
    case exhausted(String)
    /// The run was stopped while waiting for the model.
    case cancelled

    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .server, .unreachable, .malformed: true
        case .authentication, .badRequest, .contextExceeded, .exhausted, .cancelled: false
        }
    }

    public var description: String {
        switch self {
        case .authentication(let detail): "the API refused the key: \(detail)"
        case .badRequest(let detail): "the API refused the request: \(detail)"
        case .contextExceeded(let detail): "the conversation is longer than the model's context window: \(detail)"
        case .rateLimited(let detail, _): "rate limited: \(detail)"
        case .server(let status, let detail): "the API failed with HTTP \(status): \(detail)"
        case .unreachable(let detail): "the API could not be reached: \(detail)"
        case .malformed(let detail): "the API's answer could not be read: \(detail)"
        case .exhausted(let detail): detail
        case .cancelled: "the run was stopped"
        }
    }
}
