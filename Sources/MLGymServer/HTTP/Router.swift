import Foundation
import NIOHTTP1

/// Matches a method and a path against patterns such as `/v1/sessions/{id}/exec` and calls the route's handler.
/// A path that matches no pattern gets 404; one that matches with another method gets 405.
public struct Router: Sendable {
    public typealias Handler = @Sendable (APIRequest) async -> APIResponse

    private struct Route: Sendable {
        var method: HTTPMethod
        var segments: [Substring]
        var handler: Handler
    }

    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, segments: pattern.split(separator: "/"), handler: handler))
    }

    func respond(to request: APIRequest) async -> APIResponse {
        let segments = request.path.split(separator: "/")
        var pathMatched = false
        for route in routes {
            guard let parameters = Self.match(route.segments, segments) else { continue }
            pathMatched = true
            guard route.method == request.method else { continue }
            var request = request
            request.parameters = parameters
            return await route.handler(request)
        }
        if pathMatched {
            return .error(.methodNotAllowed, code: "method_not_allowed", "\(request.method.rawValue) is not allowed on \(request.path)")
        }
        return .error(.notFound, code: "not_found", "no such endpoint: \(request.method.rawValue) \(request.path) (see docs/api.md)")
    }

    /// The `{name}` values when `path` matches `pattern` segment by segment (percent-decoded), else nil.
    static func match(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, path) {
            if expected.hasPrefix("{") && expected.hasSuffix("}") {
                parameters[String(expected.dropFirst().dropLast())] = String(actual).removingPercentEncoding ?? String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}
