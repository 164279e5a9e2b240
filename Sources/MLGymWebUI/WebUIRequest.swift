/// One browser request to `mlgymctl ui`, as far as the gate and the router need it.
struct WebUIRequest: Equatable {
    var method: String
    /// The path without the query, not decoded (it is passed to mlgymd as it came).
    var path: String
    /// The query as it came (without `?`), and split for the token.
    var rawQuery: String
    var query: [String: String]
    var host: String?
    /// The `mlgym_ui` cookie's value.
    var cookieToken: String?
    /// `Upgrade` (lower-cased), `Sec-WebSocket-Key` and `Origin`, for the terminal's WebSocket.
    var upgrade: String? = nil
    var webSocketKey: String? = nil
    var origin: String? = nil

    /// The request's head (request line and headers, without the blank line); nil when it is not HTTP/1.x.
    static func parse(head: String) -> WebUIRequest? {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let parts = (lines.first ?? "").split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return nil }
        let target = String(parts[1])
        let pathPart = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawQuery = pathPart.count > 1 ? String(pathPart[1]) : ""
        var query: [String: String] = [:]
        for pair in rawQuery.split(separator: "&") {
            let nameValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            query[String(nameValue[0])] = nameValue.count > 1 ? String(nameValue[1]) : ""
        }
        var host: String?
        var cookieToken: String?
        var upgrade: String?, webSocketKey: String?, origin: String?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            if name == "host" { host = String(value) }
            if name == "upgrade" { upgrade = value.lowercased() }
            if name == "sec-websocket-key" { webSocketKey = String(value) }
            if name == "origin" { origin = String(value) }
            if name == "cookie" {
                for cookie in value.split(separator: ";") {
                    let trimmed = cookie.drop { $0 == " " }
                    if trimmed.hasPrefix("mlgym_ui=") { cookieToken = String(trimmed.dropFirst("mlgym_ui=".count)) }
                }
            }
        }
        return WebUIRequest(
            method: String(parts[0]), path: String(pathPart[0]), rawQuery: rawQuery, query: query, host: host,
            cookieToken: cookieToken, upgrade: upgrade, webSocketKey: webSocketKey, origin: origin)
    }
}

/// What to answer a request: the gate (loopback host, the token), then the route.
enum WebUIDecision: Equatable {
    /// The token came in the URL: set it as a cookie and send the browser to the same page without it, so it
    /// leaves the address bar and the history.
    case setCookieAndRedirect(location: String)
    case forbidden(String)
    case methodNotAllowed
    case asset(WebUIAssets.Asset)
    /// `GET` this path (with its query) on mlgymd's socket, as the user who ran `mlgymctl ui`.
    case proxy(String)
    /// A page the view makes itself (`/ui/…`): the path as it came and the decoded query.
    case derived(path: String, query: [String: String])
    /// `/ui/sessions/ID/terminal` as a WebSocket: the session's terminal, typed in only when `typing`.
    case terminal(session: String, typing: Bool, rows: Int, cols: Int, key: String)
    case notFound

    static func decide(_ request: WebUIRequest, token: String, port: UInt16) -> WebUIDecision {
        // A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) sends its own Host.
        guard let host = request.host, host == "127.0.0.1:\(port)" || host == "localhost:\(port)" else {
            return .forbidden("this view answers only http://127.0.0.1:\(port)/")
        }
        let given = request.query["token"] ?? request.cookieToken
        guard let given, constantTimeEqual(given, token) else {
            return .forbidden("open the URL that `mlgymctl ui` printed (it carries this view's token)")
        }
        guard request.method == "GET" else { return .methodNotAllowed }
        if request.query["token"] != nil {
            let others = request.rawQuery.split(separator: "&").filter { !$0.hasPrefix("token=") }
            return .setCookieAndRedirect(location: request.path + (others.isEmpty ? "" : "?" + others.joined(separator: "&")))
        }
        if request.path.hasPrefix("/api/v1/") {
            let path = String(request.path.dropFirst("/api".count))
            return .proxy(path + (request.rawQuery.isEmpty ? "" : "?" + request.rawQuery))
        }
        let segments = request.path.split(separator: "/")
        if segments.count == 4, segments[0] == "ui", segments[1] == "sessions", segments[3] == "terminal" {
            guard request.upgrade == "websocket", let key = request.webSocketKey,
                let session = PercentEncoding.decoded(segments[2]), !session.contains("/")
            else { return .forbidden("the terminal is a WebSocket") }
            // A page elsewhere may open a WebSocket here; the browser names it in Origin.
            if let origin = request.origin, origin != "http://127.0.0.1:\(port)", origin != "http://localhost:\(port)" {
                return .forbidden("this terminal answers only pages of http://127.0.0.1:\(port)/")
            }
            let size = { (name: String, fallback: Int) in request.query[name].flatMap(Int.init).map { min(max($0, 2), 1000) } ?? fallback }
            return .terminal(
                session: session, typing: request.query["mode"] == "type", rows: size("rows", 24), cols: size("cols", 80), key: key)
        }
        if request.path.hasPrefix("/ui/") {
            return .derived(path: request.path, query: request.query.mapValues { PercentEncoding.decoded($0) ?? $0 })
        }
        if let asset = WebUIAssets.Asset(path: request.path) { return .asset(asset) }
        return .notFound
    }

    /// Compares without stopping at the first difference, so timing tells nothing about the token.
    static func constantTimeEqual(_ given: String, _ expected: String) -> Bool {
        let left = Array(given.utf8), right = Array(expected.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
