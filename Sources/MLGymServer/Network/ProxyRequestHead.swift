import Foundation

/// The head of one request to the sessions' package proxy, read from the bytes before its blank line: where it
/// wants to go, and for a plain-HTTP request the head to send there.
///
/// Two forms reach an HTTP proxy: `CONNECT host:port` (HTTPS; the proxy then relays bytes it cannot read) and a
/// request with an absolute target (`GET http://host:port/path`) that the proxy forwards as an ordinary request.
/// Anything else, and anything odd in the head (no port, user info, control characters, an `https://` target
/// without CONNECT), is refused rather than guessed at: the head decides which host the agent reaches.
struct ProxyRequestHead: Equatable {
    enum Kind: Equatable {
        /// Relay bytes both ways once the connection is made.
        case tunnel
        /// Send `forwardedHead`, then relay.
        case forward(forwardedHead: [UInt8])
    }

    var host: String
    var port: Int
    var kind: Kind

    /// The most a head may take; pip's are a few hundred bytes.
    static let maxBytes = 16 << 10

    struct Refusal: Error, Equatable {
        var reason: String
    }

    /// Parses a complete head (up to and including `\r\n\r\n`).
    static func parse(_ bytes: [UInt8]) throws(Refusal) -> ProxyRequestHead {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Refusal(reason: "the request head is not UTF-8") }
        var lines = text.components(separatedBy: "\r\n")
        while lines.last == "" { lines.removeLast() }
        guard let requestLine = lines.first else { throw Refusal(reason: "empty request") }
        for line in lines where line.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw Refusal(reason: "control characters in the request head")
        }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            throw Refusal(reason: "not an HTTP/1.x request line")
        }
        let method = String(parts[0]), target = String(parts[1])
        guard !method.isEmpty, method.allSatisfy({ $0.isASCII && ($0.isUppercase || $0 == "-") }) else {
            throw Refusal(reason: "bad method")
        }
        if method == "CONNECT" {
            let (host, port) = try authority(target, defaultPort: nil)
            return ProxyRequestHead(host: host, port: port, kind: .tunnel)
        }
        guard target.lowercased().hasPrefix("http://") else {
            throw Refusal(reason: target.lowercased().hasPrefix("https://")
                ? "an https:// URL goes through CONNECT" : "the proxy needs an absolute http:// URL")
        }
        let rest = target.dropFirst("http://".count)
        let slash = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let (host, port) = try authority(String(rest[..<slash]), defaultPort: 80)
        var path = String(rest[slash...])
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        // Hop-by-hop and proxy headers stay here; every forwarded request is the connection's last, so the
        // relay that follows carries one response and cannot be pointed at a second host.
        let dropped: Set<String> = ["connection", "proxy-connection", "proxy-authorization", "keep-alive"]
        var head = "\(method) \(path) HTTP/1.1\r\n"
        for line in lines.dropFirst() {
            let name = line.prefix { $0 != ":" }.lowercased().trimmingCharacters(in: .whitespaces)
            if dropped.contains(name) { continue }
            head += line + "\r\n"
        }
        head += "Connection: close\r\n\r\n"
        return ProxyRequestHead(host: host, port: port, kind: .forward(forwardedHead: Array(head.utf8)))
    }

    /// `host[:port]` with a DNS name, an IPv4 address or a bracketed IPv6 address; no user info.
    private static func authority(_ text: String, defaultPort: Int?) throws(Refusal) -> (String, Int) {
        guard !text.contains("@") else { throw Refusal(reason: "user info in the address") }
        var host: Substring, portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw Refusal(reason: "bad IPv6 address") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw Refusal(reason: "bad address") }
            guard host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { throw Refusal(reason: "bad IPv6 address") }
        } else {
            let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw Refusal(reason: "bad address") }
            host = pieces[0]
            portText = pieces.count == 2 ? pieces[1] : nil
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
                throw Refusal(reason: "bad host name")
            }
        }
        guard !host.isEmpty, host.count <= 253 else { throw Refusal(reason: "bad host name") }
        let port: Int
        if let portText {
            guard portText.count <= 5, let value = Int(portText), (1...65535).contains(value) else { throw Refusal(reason: "bad port") }
            port = value
        } else if let defaultPort {
            port = defaultPort
        } else {
            throw Refusal(reason: "CONNECT needs host:port")
        }
        return (host.lowercased(), port)
    }
}
