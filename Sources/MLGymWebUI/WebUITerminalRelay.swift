import Dispatch
import Foundation
import Glibc
import MLGymToolSupport

/// A session's terminal in the browser: the browser's WebSocket joined byte for byte to mlgymd's attach
/// WebSocket, once both handshakes are done. No frame is read or rewritten here: the browser's frames are masked
/// client frames, which is what mlgymd reads, and mlgymd's are unmasked server frames, which is what the browser
/// reads.
///
/// Read-only unless the person owns the session: a watcher's connection asks mlgymd for `watch=1`, and mlgymd
/// then drops whatever is typed. Typing is asked for (`mode=type`) and granted only when mlgymd says the caller
/// is the session's owner, so root's view of another user's session stays read-only.
struct WebUITerminalRelay {
    let daemonSocket: String

    enum Refusal: Error {
        case status(Int, String)
    }

    func run(browser: Int32, session: String, typing: Bool, rows: Int, cols: Int, key: String) {
        let daemon: Int32
        let early: [UInt8]
        do {
            if typing { try checkOwnership(of: session) }
            (daemon, early) = try attach(session, watch: !typing, rows: rows, cols: cols)
        } catch .status(let status, let message) {
            WebUIServer.respond(browser, status: status, type: "text/plain", body: message + "\n")
            return
        } catch {
            return
        }
        defer { close(daemon) }
        let answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(SHA1.webSocketAccept(key: key))\r\n\r\n"
        guard (try? FileIO.writeAll(browser, Array(answer.utf8) + early)) != nil else { return }
        // A terminal may sit quiet for hours: no receive limit on either side from here on.
        var none = timeval(tv_sec: 0, tv_usec: 0)
        setsockopt(browser, SOL_SOCKET, SO_RCVTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
        let upstreamDone = DispatchSemaphore(value: 0)
        Thread {
            Self.copy(from: browser, to: daemon)
            upstreamDone.signal()
        }.start()
        Self.copy(from: daemon, to: browser)
        // mlgymd ended it (the shell ended, or it stopped): the browser's side goes too, which ends the other copy
        // before the descriptors are closed.
        shutdown(browser, Int32(SHUT_RDWR))
        shutdown(daemon, Int32(SHUT_RDWR))
        upstreamDone.wait()
    }

    /// Copies until either side closes or fails, then closes `to`'s writing side so the other copy ends too.
    private static func copy(from source: Int32, to target: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0, (try? FileIO.writeAll(target, buffer[0..<count])) != nil else { break }
        }
        shutdown(target, Int32(SHUT_RDWR))
        shutdown(source, Int32(SHUT_RDWR))
    }

    /// Typing is for the session's owner: mlgymd says who the caller is and whose the session is.
    private func checkOwnership(of session: String) throws(Refusal) {
        let caller = try get("/v1/info")["callerUID"]?.intValue
        let found = try get("/v1/sessions/" + Self.escaped(session))
        guard let owner = found["owner"]?.intValue else {
            throw .status(404, found["error"]?["message"]?.stringValue ?? "no session \(session)")
        }
        guard caller == owner else {
            throw .status(403, "read-only: session \(session) belongs to uid \(owner), so this view only watches it")
        }
    }

    private func get(_ path: String) throws(Refusal) -> JSONValue {
        let client = UnixSocketHTTPClient(socketPath: daemonSocket)
        var body: [UInt8] = []
        do {
            _ = try client.perform(method: "GET", path: path, headers: [("Accept", "application/json")]) { body += $0 }
            return try JSONParser.parse(body)
        } catch {
            throw .status(502, "cannot read mlgymd at \(daemonSocket): \(error)")
        }
    }

    /// Opens mlgymd's attach WebSocket; returns the socket and whatever mlgymd sent after its handshake.
    private func attach(_ session: String, watch: Bool, rows: Int, cols: Int) throws(Refusal) -> (Int32, [UInt8]) {
        let socket: Int32
        do {
            socket = try UnixSocketHTTPClient.connectedSocket(daemonSocket)
        } catch {
            throw .status(502, "cannot reach mlgymd at \(daemonSocket): \(error.reason)")
        }
        var random = SystemRandomNumberGenerator()
        let key = Base64.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &random) })
        let request = "GET /v1/sessions/\(Self.escaped(session))/attach?rows=\(rows)&cols=\(cols)\(watch ? "&watch=1" : "") HTTP/1.1\r\n"
            + "Host: mlgymd\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        do {
            try FileIO.writeAll(socket, Array(request.utf8))
        } catch {
            close(socket)
            throw .status(502, "cannot write to mlgymd: \(error.reason)")
        }
        while received.count < 64 * 1024 {
            let count = read(socket, &buffer, buffer.count)
            guard count > 0 else { break }
            received += buffer[0..<count]
            guard let end = Self.headEnd(received) else { continue }
            let head = String(decoding: received[..<end], as: UTF8.self)
            if head.hasPrefix("HTTP/1.1 101") { return (socket, Array(received[(end + 4)...])) }
            close(socket)
            let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 502
            let body = String(decoding: received[(end + 4)...], as: UTF8.self)
            let message = (try? JSONParser.parse(body))?["error"]?["message"]?.stringValue ?? "mlgymd refused the terminal (HTTP \(status))"
            throw .status(status, message)
        }
        close(socket)
        throw .status(502, "mlgymd did not answer the terminal's handshake")
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    /// A session id or name as one path segment.
    private static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
