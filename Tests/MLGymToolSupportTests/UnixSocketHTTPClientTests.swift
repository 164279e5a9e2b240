import Foundation
import Glibc
import MLGymToolSupport
import Synchronization
import Testing

/// The client against a real Unix-socket server that answers with canned bytes, a few at a time, so bodies are
/// read across many partial reads.
@Suite(.serialized)
struct UnixSocketHTTPClientTests {
    static func answer(_ status: String, _ headers: [String], _ body: String) -> String {
        "HTTP/1.1 \(status)\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n" + body
    }

    func fetch(_ client: UnixSocketHTTPClient, _ method: String = "GET", body: String? = nil) throws -> (Int, String) {
        var received: [UInt8] = []
        let status = try client.perform(method: method, path: "/v1/x", headers: [("Accept", "application/json")], body: body.map { Array($0.utf8) }) {
            received.append(contentsOf: $0)
        }
        return (status, String(decoding: received, as: UTF8.self))
    }

    @Test func lengthChunkedAndInterimAnswersShareOneConnection() throws {
        let chunked = Self.answer("200 OK", ["Transfer-Encoding: chunked"], "5;ext=1\r\nhello\r\n1\r\n \r\n6\r\nworld\n\r\n0\r\nTrailer: x\r\n\r\n")
        let server = try CannedHTTPServer(connections: [[
            Self.answer("200 OK", ["Content-Length: 12", "Content-Type: application/json"], #"{"ok": true}"#),
            chunked,
            Self.answer("100 Continue", [], "") + Self.answer("404 Not Found", ["Content-Length: 2"], "{}"),
            Self.answer("204 No Content", [], ""),
        ]])
        defer { server.stop() }
        let client = UnixSocketHTTPClient(socketPath: server.path)
        #expect(try fetch(client, "POST", body: #"{"command":"true"}"#) == (200, #"{"ok": true}"#))
        #expect(try fetch(client) == (200, "hello world\n"))
        #expect(try fetch(client) == (404, "{}"))
        #expect(try fetch(client, "DELETE") == (204, ""))
        #expect(server.connectionCount == 1)
        #expect(server.requests.first?.hasPrefix("POST /v1/x HTTP/1.1\r\nHost: mlgymd\r\nAccept: application/json\r\nContent-Length: 18\r\n\r\n") == true)
        #expect(server.requests.first?.hasSuffix(#"{"command":"true"}"#) == true)
    }

    @Test func aBodyWithoutLengthRunsToTheEndOfTheConnection() throws {
        let server = try CannedHTTPServer(connections: [
            [Self.answer("200 OK", ["Connection: close"], String(repeating: "x", count: 100_000))],
            [Self.answer("200 OK", ["Content-Length: 1"], "y")],
        ])
        defer { server.stop() }
        let client = UnixSocketHTTPClient(socketPath: server.path)
        #expect(try fetch(client).1.count == 100_000)
        #expect(try fetch(client) == (200, "y"))
        #expect(server.connectionCount == 2)
    }

    @Test func aRequestOnAConnectionTheServerClosedIsSentAgain() throws {
        let server = try CannedHTTPServer(connections: [
            [Self.answer("200 OK", ["Content-Length: 1"], "a")],
            [Self.answer("200 OK", ["Content-Length: 1"], "b")],
        ])
        defer { server.stop() }
        let client = UnixSocketHTTPClient(socketPath: server.path)
        #expect(try fetch(client) == (200, "a"))
        #expect(try fetch(client) == (200, "b"))
        #expect(server.connectionCount == 2 && server.requests.count == 2)
    }

    @Test func anAnswerCutShortIsAnErrorNotARetry() throws {
        let server = try CannedHTTPServer(connections: [[Self.answer("200 OK", ["Content-Length: 10"], "abc")]], closeEarly: true)
        defer { server.stop() }
        let client = UnixSocketHTTPClient(socketPath: server.path)
        #expect(throws: UnixSocketHTTPClient.Failure.malformed("the answer ended 7 bytes before its end")) { try fetch(client) }
        #expect(server.requests.count == 1)
    }

    @Test func notHTTPIsAnError() throws {
        let server = try CannedHTTPServer(connections: [["SSH-2.0-OpenSSH\r\n\r\n"]])
        defer { server.stop() }
        let failure = try #require(throws: UnixSocketHTTPClient.Failure.self) { try fetch(UnixSocketHTTPClient(socketPath: server.path)) }
        #expect(failure.reason.contains("not an HTTP/1.1 status line"))
    }

    @Test func aMissingSocketIsAConnectFailure() {
        #expect(throws: UnixSocketHTTPClient.Failure.connect(errno: ENOENT)) {
            try fetch(UnixSocketHTTPClient(socketPath: "/tmp/no-such-mlgym-socket-\(getpid())"))
        }
        let long = "/tmp/" + String(repeating: "x", count: 200)
        #expect(throws: UnixSocketHTTPClient.Failure.connect(errno: ENAMETOOLONG)) { try fetch(UnixSocketHTTPClient(socketPath: long)) }
    }
}

/// A Unix-socket server on its own thread: for each connection in turn, it reads each request (head and
/// `Content-Length` body) and writes the next canned answer in 7-byte pieces, then closes the connection.
final class CannedHTTPServer: @unchecked Sendable {
    let path: String
    private let listener: Int32
    private final class Record: Sendable {
        let value = Mutex<(connections: Int, requests: [String])>((0, []))
    }
    private let record = Record()
    private let thread: Thread

    var connectionCount: Int { record.value.withLock { $0.connections } }
    var requests: [String] { record.value.withLock { $0.requests } }

    /// - Parameter closeEarly: close each connection right after writing its answers' bytes, even mid-body.
    init(connections: [[String]], closeEarly: Bool = false) throws {
        path = "/tmp/mlgym-canned-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let path = path
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw SystemFailure("listen on \(path)") }
        self.listener = listener
        let record = record
        thread = Thread {
            for answers in connections {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                record.value.withLock { $0.connections += 1 }
                for answer in answers {
                    guard let request = Self.readRequest(connection) else { break }
                    record.value.withLock { $0.requests.append(request) }
                    let bytes = Array(answer.utf8)
                    for start in stride(from: 0, to: bytes.count, by: 7) {
                        _ = bytes[start..<min(start + 7, bytes.count)].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        usleep(50)
                    }
                }
                if !closeEarly { usleep(1000) }
                close(connection)
            }
        }
        thread.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(path)
    }

    private static func readRequest(_ connection: Int32) -> String? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = String(decoding: bytes, as: UTF8.self).range(of: "\r\n\r\n") {
                let head = String(decoding: bytes, as: UTF8.self)[..<end.lowerBound]
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                let headBytes = head.utf8.count + 4
                if bytes.count >= headBytes + length { return String(decoding: bytes, as: UTF8.self) }
            }
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            bytes.append(contentsOf: buffer[0..<count])
        }
    }
}
