import Foundation
import Glibc
import MLGymToolSupport

/// `mlgymctl ui`: a web view of mlgymd for the browser of the person who runs it.
///
/// Browsers cannot speak to a Unix socket, so this listens on 127.0.0.1 only and forwards the page's `GET
/// /api/v1/…` requests to mlgymd's socket from this process, so mlgymd sees (and authorises) the user who ran
/// `mlgymctl ui`. Every request must carry the random token of this run, in the URL it printed or in the cookie that
/// URL sets, so another local user who finds the port gets nothing; a `Host` other than 127.0.0.1 or localhost is
/// refused (a page on another site that points its name at 127.0.0.1). The view only reads: no other method is
/// forwarded. One thread per connection: a person's browser opens a handful.
public final class WebUIServer: @unchecked Sendable {
    public let port: UInt16
    public let token: String
    public let daemonSocket: String
    /// The pages the view makes itself (`/ui/…`).
    public let derived: WebUIDerivedPages
    private let listener: Int32

    /// The URL to open: it carries the token once; the page then holds it in a cookie.
    public var url: String { "http://127.0.0.1:\(port)/?token=\(token)" }

    /// Listens on 127.0.0.1:`port` (0: any free port).
    public init(daemonSocket: String, port: UInt16, derived: @escaping WebUIDerivedPages = { _, _ in nil }) throws(SystemFailure) {
        self.daemonSocket = daemonSocket
        self.derived = derived
        var random = SystemRandomNumberGenerator()
        token = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketDescriptor >= 0 else { throw SystemFailure("open a TCP socket") }
        var yes: Int32 = 1
        setsockopt(socketDescriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socketDescriptor, 64) == 0 else {
            let failure = SystemFailure("listen on 127.0.0.1:\(port)")
            close(socketDescriptor)
            throw failure
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketDescriptor, $0, &length) }
        }
        listener = socketDescriptor
        self.port = UInt16(bigEndian: address.sin_port)
    }

    /// Serves until the process ends.
    public func serve() -> Never {
        // A browser that closes a page (or its terminal) while an answer is being written must cost that one
        // connection a failed write (EPIPE), not the whole view.
        signal(SIGPIPE, SIG_IGN)
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            // Close-on-exec, as every descriptor of this process (it starts no programs, but may one day).
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            Thread { [self] in handle(connection) }.start()
        }
    }

    private func handle(_ connection: Int32) {
        defer { close(connection) }
        // A client that sends nothing, or stops reading, does not hold its thread for good.
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        limit.tv_sec = 30
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard let head = Self.readHead(connection), let request = WebUIRequest.parse(head: head) else {
            Self.respond(connection, status: 400, type: "text/plain", body: "not an HTTP/1.1 request\n")
            return
        }
        switch WebUIDecision.decide(request, token: token, port: port) {
        case .forbidden(let why):
            Self.respond(connection, status: 403, type: "text/plain", body: why + "\n")
        case .methodNotAllowed:
            Self.respond(connection, status: 405, type: "text/plain", body: "this view only reads\n")
        case .notFound:
            Self.respond(connection, status: 404, type: "text/plain", body: "no such page\n")
        case .setCookieAndRedirect(let location):
            Self.respond(
                connection, status: 303, type: "text/plain", body: "",
                extraHeaders: ["Location: \(location)", "Set-Cookie: mlgym_ui=\(token); HttpOnly; SameSite=Strict; Path=/"])
        case .asset(let asset):
            Self.respond(connection, status: 200, type: asset.contentType, body: asset.body, extraHeaders: Self.pageHeaders)
        case .proxy(let path):
            proxy(path, to: connection)
        case .terminal(let session, let typing, let rows, let cols, let key):
            WebUITerminalRelay(daemonSocket: daemonSocket).run(
                browser: connection, session: session, typing: typing, rows: rows, cols: cols, key: key)
        case .derived(let path, let query):
            let reply = derived(path, query) ?? .text(404, "no such page")
            Self.writeHead(
                connection, status: reply.status, type: reply.contentType,
                extraHeaders: reply.headers + Self.derivedHeaders + ["Content-Length: \(reply.body.count)"])
            try? FileIO.writeAll(connection, reply.body)
        }
    }

    /// Forwards `GET path` to mlgymd and copies its answer as it arrives (an events stream for as long as the
    /// page is open).
    private func proxy(_ path: String, to connection: Int32) {
        let client = UnixSocketHTTPClient(socketPath: daemonSocket)
        var wroteHead = false
        do {
            _ = try client.perform(
                method: "GET", path: path, headers: [("Accept", path.hasPrefix("/v1/events") ? "text/event-stream" : "application/json")],
                onHead: { status, type in
                    wroteHead = true
                    Self.writeHead(connection, status: status, type: type ?? "application/json", extraHeaders: [])
                },
                onBody: { bytes in
                    // The page went away: closing our end of mlgymd's connection ends the transfer.
                    if (try? FileIO.writeAll(connection, bytes)) == nil { client.abortTransfer() }
                })
        } catch {
            if !wroteHead {
                Self.respond(connection, status: 502, type: "text/plain", body: "cannot reach mlgymd at \(daemonSocket): \(error.reason)\n")
            }
        }
    }

    static let pageHeaders = [
        "Content-Security-Policy: default-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
        "X-Frame-Options: DENY",
    ]

    /// A plot opened on its own is a document of this origin: nothing in it may run or load.
    static let derivedHeaders = ["Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; sandbox"]

    private static func readHead(_ connection: Int32) -> String? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 16 * 1024 {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            bytes.append(contentsOf: buffer[0..<count])
            if let end = String(decoding: bytes, as: UTF8.self).range(of: "\r\n\r\n") {
                return String(String(decoding: bytes, as: UTF8.self)[..<end.lowerBound])
            }
        }
        return nil
    }

    private static func writeHead(_ connection: Int32, status: Int, type: String, extraHeaders: [String]) {
        let reason = [
            200: "OK", 303: "See Other", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            409: "Conflict", 500: "Internal Server Error", 502: "Bad Gateway",
        ][status] ?? "Status"
        let lines = ["HTTP/1.1 \(status) \(reason)", "Content-Type: \(type)", "Cache-Control: no-store", "X-Content-Type-Options: nosniff",
                     "Referrer-Policy: no-referrer", "Connection: close"] + extraHeaders
        try? FileIO.writeAll(connection, Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8))
    }

    static func respond(_ connection: Int32, status: Int, type: String, body: String, extraHeaders: [String] = []) {
        writeHead(connection, status: status, type: type, extraHeaders: extraHeaders + ["Content-Length: \(body.utf8.count)"])
        try? FileIO.writeAll(connection, Array(body.utf8))
    }
}
