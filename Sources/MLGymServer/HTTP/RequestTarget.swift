import Foundation

/// The path and the query of a request target (`/v1/sessions/x/exec?stream=true`): the one place the server
/// takes a URI apart, for routes and for the WebSocket upgrade alike. Query keys and values are
/// percent-decoded; the path is kept as sent, and the router decodes each segment.
struct RequestTarget: Sendable, Equatable {
    var path: String
    var query: [String: String]

    init(_ uri: String) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts.first ?? "")
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(keyValue[0])
                let value = keyValue.count == 2 ? String(keyValue[1]) : ""
                query[key.removingPercentEncoding ?? key] = value.removingPercentEncoding ?? value
            }
        }
        self.query = query
    }
}
