import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// The daemon's request parsing on random and mutated input, end to end: raw bytes at its HTTP parser, and
/// well-framed requests whose JSON bodies are mutated at its decoders. Every input gets an answer (or, for
/// bytes that are no HTTP request, a closed connection) within seconds: a 4xx with a JSON error that says what
/// was wrong, or success. None gets a 5xx, none hangs, and the daemon is up and holds nothing afterwards.
@Suite(.serialized) struct HTTPFuzzTests {
    static let rawExamples = [
        "GET /v1/info HTTP/1.1\r\nHost: mlgymd\r\n\r\n",
        "POST /v1/sessions/nosuchsession/exec HTTP/1.1\r\nHost: mlgymd\r\nContent-Type: application/json\r\nContent-Length: 43\r\n\r\n{\"command\": \"echo hi\", \"timeout\": 5.5}\r\n",
        "POST /v1/memory/search HTTP/1.1\r\nHost: m\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"query\": \"a b\"}\r\n0\r\n\r\n",
        "GET /v1/sessions?all=true&stream=true HTTP/1.1\r\nHost: m\r\nConnection: keep-alive\r\nUpgrade: websocket\r\n\r\n",
        "DELETE /v1/sessions/%2e%2e%2f HTTP/1.0\r\n\r\n",
    ]

    /// Well-framed requests: route and a valid body to mutate. Nothing here can start work outside the
    /// machine: exec and evaluation name no session, runs name no task, sessions are removed at once.
    static let bodyExamples: [(String, String)] = [
        ("/v1/sessions", #"{"name": "fuzz", "memory": "64M", "cpus": 0.5, "pids": 64, "network": "none", "disk": "16M", "gpus": "none", "wallTime": 30}"#),
        ("/v1/sessions/nosuchsession/exec", #"{"command": "echo hi", "timeout": 5, "noOutputTimeout": 2}"#),
        ("/v1/sessions/nosuchsession/evaluations", #"{"kind": "validate"}"#),
        ("/v1/runs", #"{"task": "noSuchTask", "model": "replay:x", "seeds": 2, "parallel": 1, "maxSteps": 3, "replayResponses": ["ls"], "costLimit": 1, "price": {"inputPerMillion": 1, "outputPerMillion": 2}}"#),
        ("/v1/memory", #"{"scope": "fuzz", "content": "a note", "tags": ["x", "y"]}"#),
        ("/v1/memory/search", #"{"scope": "fuzz", "query": "note", "limit": 3}"#),
        ("/v1/memory/import", #"{"scope": "fuzz", "memories": [{"content": "c", "tags": []}]}"#),
    ]

    struct Outcome {
        var status: Int?
        var body: String
        var closedWithoutAnswer: Bool
    }

    /// Sends `bytes`, then (when `halfClose`) says it will send no more, and reads the first answer.
    static func exchange(_ bytes: [UInt8], socket path: String, halfClose: Bool) throws -> Outcome {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (index, byte) in path.utf8.enumerated() { raw[index] = byte } }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw TestFailure("connect: errno \(errno)") }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if halfClose { shutdown(descriptor, Int32(SHUT_WR)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EAGAIN { throw TestFailure("no answer within 20 s to \(String(decoding: bytes.prefix(200), as: UTF8.self).debugDescription)") }
            if count <= 0 { break }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n"), let length = text[..<end.lowerBound].lowercased()
                .components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") })
                .flatMap({ Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }),
               text[end.upperBound...].utf8.count >= length {
                break
            }
        }
        let text = String(decoding: received, as: UTF8.self)
        guard !text.isEmpty else { return Outcome(status: nil, body: "", closedWithoutAnswer: true) }
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }
        // The first response's body only (its Content-Length), not what a later one on the connection said.
        var body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        if let end = text.range(of: "\r\n\r\n"), let length = text[..<end.lowerBound].lowercased().components(separatedBy: "\r\n")
            .first(where: { $0.hasPrefix("content-length:") }).flatMap({ Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }) {
            body = String(decoding: Array(body.utf8.prefix(length)), as: UTF8.self)
        }
        return Outcome(status: status, body: body, closedWithoutAnswer: false)
    }

    @Test func randomAndMutatedRequestsGetAClearAnswerAndTheDaemonStaysUp() throws {
        let daemon = try DaemonProcess(extraArguments: ["--header-timeout", "1", "--default-disk", "none", "--max-body", "64K"])
        defer { daemon.finish() }
        let count = Fuzzer.inputCount(default: 400)
        var raw = Fuzzer(seed: 0x477F, examples: Self.rawExamples)
        var bodies = Fuzzer(seed: 0xB0D1, examples: Self.bodyExamples.map(\.1))
        var tally: [String: Int] = [:]
        for index in 0..<count {
            let outcome: Outcome
            let label: String
            if index % 2 == 0 {
                let bytes = raw.input()
                label = String(decoding: bytes.prefix(120), as: UTF8.self).debugDescription
                outcome = try Self.exchange(bytes, socket: daemon.socketPath, halfClose: true)
            } else {
                let route = Self.bodyExamples[bodies.below(Self.bodyExamples.count)].0
                let body = bodies.input()
                label = "POST \(route) \(String(decoding: body.prefix(160), as: UTF8.self).debugDescription)"
                let head = "POST \(route) HTTP/1.1\r\nHost: mlgymd\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
                outcome = try Self.exchange(Array(head.utf8) + body, socket: daemon.socketPath, halfClose: false)
                #expect(outcome.status != nil, "no answer to \(label)")
            }
            if let status = outcome.status {
                #expect(status < 500, "\(status) for \(label): \(outcome.body)")
                if status >= 400 {
                    let error = try? JSONDecoder().decode(APIErrorBody.self, from: Data(outcome.body.utf8))
                    #expect(error?.error.message.isEmpty == false, "\(status) without a message for \(label): \(outcome.body)")
                }
                if status == 201, let session = try? WireCoding.decoder().decode(SessionInfo.self, from: Data(outcome.body.utf8)) {
                    try? daemon.client.removeSession(session.id, force: true)
                }
                tally["\(status / 100)xx", default: 0] += 1
            } else {
                tally["closed", default: 0] += 1
            }
        }
        #expect(try daemon.client.info().pid == daemon.pid, "the daemon went down")
        #expect(try daemon.client.sessions().allSatisfy { $0.state != "running" })
        print("fuzz http: \(count) inputs, " + tally.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ", 0 crashes, 0 hangs")
    }

    @Test func everyRequestTypeDecodesOrFailsOnMutatedJSON() {
        var fuzzer = Fuzzer(seed: 0xDEC0, examples: Self.bodyExamples.map(\.1) + [#"{"kind":"submit"}"#, #"{"query":"q","limit":5}"#])
        let count = Fuzzer.inputCount(default: 3000)
        let decoder = WireCoding.decoder()
        var decoded = 0
        for _ in 0..<count {
            let data = Data(fuzzer.input())
            let results: [Bool] = [
                (try? decoder.decode(SessionSpec.self, from: data)) != nil, (try? decoder.decode(ExecRequest.self, from: data)) != nil,
                (try? decoder.decode(RunRequest.self, from: data)) != nil, (try? decoder.decode(RunResumeRequest.self, from: data)) != nil,
                (try? decoder.decode(EvaluationRequest.self, from: data)) != nil, (try? decoder.decode(MemoryWriteRequest.self, from: data)) != nil,
                (try? decoder.decode(MemorySearchRequest.self, from: data)) != nil, (try? decoder.decode(MemoryImportRequest.self, from: data)) != nil,
                (try? decoder.decode(LiteratureSearchRequest.self, from: data)) != nil, (try? decoder.decode(PDFTextRequest.self, from: data)) != nil,
                (try? decoder.decode(ExecStreamLine.self, from: data)) != nil,
            ]
            decoded += results.filter { $0 }.count
        }
        print("fuzz json-decoders: \(count) inputs × 11 request types, \(decoded) decoded, the rest refused, 0 crashes")
    }
}
