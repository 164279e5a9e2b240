import Foundation
import Glibc

/// Bytes over a Unix socket, read back until the server closes or a whole response has arrived: for requests no
/// well-behaved client would send (malformed, oversized), and to see the status line and headers as sent.
enum RawHTTP {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// A connection that has sent `request` and is left open, unread: a client that lingers. Close it when done.
    static func openConnection(sending request: [UInt8], to socketPath: String) throws -> Int32 {
        let descriptor = try connected(to: socketPath)
        _ = request.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        return descriptor
    }

    private static func connected(to socketPath: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestFailure("connect \(socketPath): errno \(errno)")
        }
        return descriptor
    }

    /// Sends `request` (bytes as given) and returns the first response.
    static func send(_ request: [UInt8], to socketPath: String) throws -> Response {
        let descriptor = try connected(to: socketPath)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < request.count {
            let written = request[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            // The server may answer (413) and close before reading everything: stop writing then.
            if written <= 0 { break }
            offset += written
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            received += buffer[0..<count]
            if let response = parse(received) { return response }
        }
        guard let response = parse(received, complete: true) else {
            throw TestFailure("no HTTP response; got \(String(decoding: received, as: UTF8.self).prefix(200))")
        }
        return response
    }

    /// Sends `request` and reads until the server closes the connection or `seconds` pass with nothing more;
    /// returns what came and whether the server closed it.
    static func exchange(_ request: [UInt8], to socketPath: String, waitingAtMost seconds: Int) throws -> (received: String, closedByServer: Bool) {
        let descriptor = try connected(to: socketPath)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = request.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if count < 0 {
                if errno == EINTR { continue }
                // ECONNRESET is a close too; EAGAIN is the timeout.
                return (String(decoding: received, as: UTF8.self), errno == ECONNRESET)
            }
            received += buffer[0..<count]
        }
    }

    static func request(_ method: String, _ path: String, body: String? = nil, to socketPath: String) throws -> Response {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: mlgymd\r\nConnection: close\r\n"
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        return try send(Array(text.utf8), to: socketPath)
    }

    private static func parse(_ bytes: [UInt8], complete: Bool = false) -> Response? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headerEnd = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<headerEnd.lowerBound].components(separatedBy: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = String(text[headerEnd.upperBound...])
        if let length = headers["content-length"].flatMap(Int.init) {
            guard body.utf8.count >= length else { return nil }
            return Response(status: status, headers: headers, body: String(body.utf8.prefix(length)) ?? body)
        }
        return complete ? Response(status: status, headers: headers, body: body) : nil
    }
}
