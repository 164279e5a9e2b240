import Foundation
import MLGymAPI
import MLGymCore

/// The client of mlgymd's API, used by mlgymctl and by the tests. Errors the daemon returns come back as
/// `MLGymError` with the daemon's code and message.
public final class APIClient: Sendable {
    public let socketPath: String
    private let http: UnixSocketHTTP

    /// The socket named by MLGYM_SOCKET, or the system one.
    public static var defaultSocketPath: String {
        ProcessInfo.processInfo.environment["MLGYM_SOCKET"] ?? "/run/mlgym/mlgymd.sock"
    }

    public init(socketPath: String = APIClient.defaultSocketPath) {
        self.socketPath = socketPath
        http = UnixSocketHTTP(socketPath: socketPath)
    }

    // MARK: Sessions

    public func info() throws(MLGymError) -> DaemonInfo { try call("GET", "/v1/info") }

    public func createSession(_ spec: SessionSpec) throws(MLGymError) -> SessionInfo { try call("POST", "/v1/sessions", body: spec) }

    public func sessions() throws(MLGymError) -> [SessionInfo] {
        let list: SessionList = try call("GET", "/v1/sessions")
        return list.sessions
    }

    public func session(_ id: String) throws(MLGymError) -> SessionInfo { try call("GET", "/v1/sessions/\(Self.escape(id))") }

    public func stopSession(_ id: String) throws(MLGymError) -> SessionInfo { try call("POST", "/v1/sessions/\(Self.escape(id))/stop") }

    public func removeSession(_ id: String, force: Bool = false) throws(MLGymError) {
        let _: Empty = try call("DELETE", "/v1/sessions/\(Self.escape(id))" + (force ? "?force=true" : ""))
    }

    public func logs(_ id: String) throws(MLGymError) -> SessionLogs { try call("GET", "/v1/sessions/\(Self.escape(id))/logs") }

    /// Runs `command` in the session's shell and waits for it.
    public func exec(_ id: String, _ request: ExecRequest) throws(MLGymError) -> ExecResult {
        try call("POST", "/v1/sessions/\(Self.escape(id))/exec", body: request)
    }

    /// Runs `command`, giving output to `onOutput` as it is produced, and to `onDropped` how many bytes mlgymd left
    /// out where this client read too slowly; returns how it ended.
    public func execStreaming(
        _ id: String, _ request: ExecRequest, onDropped: @escaping (Int) -> Void = { _ in }, onOutput: @escaping (String) -> Void
    ) throws(MLGymError) -> ExecResult {
        let body = try encode(request)
        var pending = Data()
        var whole = Data()
        var final: ExecResult?
        var failure: MLGymError?
        var status = 0
        let decoder = WireCoding.decoder()
        status = try http.perform(method: "POST", path: "/v1/sessions/\(Self.escape(id))/exec?stream=true", body: body, accept: "application/x-ndjson") { (bytes: ArraySlice<UInt8>) in
            if whole.count < 65536 { whole.append(contentsOf: bytes) }
            pending.append(contentsOf: bytes)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[(newline + 1)...])
                switch try? decoder.decode(ExecStreamLine.self, from: line) {
                case .output(let text)?: onOutput(text)
                case .dropped(let bytes)?: onDropped(bytes)
                case .exit(let result)?: final = result
                case .error(let detail)?: failure = MLGymError(.init(rawValue: detail.code), detail.message)
                case nil: break
                }
            }
        }
        guard (200..<300).contains(status) else { throw apiError(status: status, body: whole) }
        if let failure { throw failure }
        guard let final else { throw MLGymError(.system, "mlgymd ended the exec stream without a result (did it stop?)") }
        return final
    }

    // MARK: Changes

    /// Follows `GET /v1/events` (the caller's runs and sessions, or only those named) until the stream ends:
    /// `onFollowing` once the subscription is in place (read state after it and no change is missed), then
    /// `onEvent` with each event's name (`run`, `session`, `resync`) and notice. Blocks for as long as the daemon
    /// streams: give it a client of its own.
    public func followChanges(
        runs: [String]? = nil, sessions: [String]? = nil, onFollowing: () -> Void, onEvent: (String, ChangeNotice?) -> Void
    ) throws(MLGymError) {
        var query: [String] = []
        if let runs { query.append("runs=" + runs.map(Self.queryValue).joined(separator: ",")) }
        if let sessions { query.append("sessions=" + sessions.map(Self.queryValue).joined(separator: ",")) }
        let path = "/v1/events" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        var parser = ServerSentEventParser()
        var head: [UInt8] = []
        var followed = false
        let decoder = WireCoding.decoder()
        let status = try http.perform(method: "GET", path: path, body: nil, accept: "text/event-stream") { bytes in
            if head.count < 4096 { head.append(contentsOf: bytes.prefix(4096 - head.count)) }
            for item in parser.feed(bytes) {
                switch item {
                case .comment:
                    if !followed {
                        followed = true
                        onFollowing()
                    }
                case .event(let name, let data):
                    onEvent(name, try? decoder.decode(ChangeNotice.self, from: Data(data.utf8)))
                }
            }
        }
        guard (200..<300).contains(status) else { throw apiError(status: status, body: Data(head)) }
    }

    // MARK: Tasks and evaluations

    public func tasks() throws(MLGymError) -> TaskList { try call("GET", "/v1/tasks") }

    public func task(_ id: String) throws(MLGymError) -> TaskInfo { try call("GET", "/v1/tasks/\(Self.escape(id))") }

    /// Evaluates the session's artefact now (`validate`, `submit`, `baseline`); waits for the evaluation.
    public func evaluate(_ id: String, kind: String) throws(MLGymError) -> EvaluationInfo {
        try call("POST", "/v1/sessions/\(Self.escape(id))/evaluations", body: EvaluationRequest(kind: kind))
    }

    public func evaluations(_ id: String) throws(MLGymError) -> EvaluationList {
        try call("GET", "/v1/sessions/\(Self.escape(id))/evaluations")
    }

    // MARK: Snapshots and forks

    /// Captures the running session's writable state.
    public func snapshot(_ id: String, name: String? = nil) throws(MLGymError) -> SnapshotInfo {
        try call("POST", "/v1/sessions/\(Self.escape(id))/snapshots", body: SnapshotRequest(name: name))
    }

    public func snapshots(_ id: String) throws(MLGymError) -> SnapshotList {
        try call("GET", "/v1/sessions/\(Self.escape(id))/snapshots")
    }

    /// Removes snapshot `SESSION@SNAPSHOT`.
    public func removeSnapshot(_ reference: String) throws(MLGymError) {
        let (session, snapshot) = SnapshotReference.split(reference)
        let _: Empty = try call("DELETE", "/v1/sessions/\(Self.escape(session))/snapshots/\(Self.escape(snapshot ?? ""))")
    }

    /// A new session from `SESSION[@SNAPSHOT]` (a fresh snapshot of the running session when none is named).
    public func fork(_ reference: String, name: String? = nil) throws(MLGymError) -> SessionInfo {
        let (session, snapshot) = SnapshotReference.split(reference)
        return try call("POST", "/v1/sessions/\(Self.escape(session))/fork", body: ForkRequest(snapshot: snapshot, name: name))
    }

    /// Rolls the running session back to `SESSION@SNAPSHOT`.
    public func restore(_ reference: String) throws(MLGymError) -> RestoreInfo {
        let (session, snapshot) = SnapshotReference.split(reference)
        return try call("POST", "/v1/sessions/\(Self.escape(session))/restore", body: RestoreRequest(snapshot: snapshot ?? ""))
    }

    // MARK: The agent's socket (inside a sandbox)

    /// `validate` or `submit` over a session's agent socket, which needs no session id: it is the session's own.
    public func agentEvaluate(kind: String) throws(MLGymError) -> EvaluationInfo {
        let empty: [String: String] = [:]
        return try call("POST", "/v1/\(kind)", body: empty)
    }

    // MARK: Plumbing

    // MARK: Runs

    public func startRuns(_ request: RunRequest) throws(MLGymError) -> RunList { try call("POST", "/v1/runs", body: request) }

    public func runs(campaign: String? = nil, task: String? = nil, model: String? = nil) throws(MLGymError) -> RunList {
        var query: [String] = []
        for (name, value) in [("campaign", campaign), ("task", task), ("model", model)] {
            if let value { query.append(name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)) }
        }
        return try call("GET", "/v1/runs" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
    }

    public func run(_ id: String) throws(MLGymError) -> RunInfo { try call("GET", "/v1/runs/\(Self.escape(id))") }

    public func trajectory(_ id: String) throws(MLGymError) -> RunTrajectory { try call("GET", "/v1/runs/\(Self.escape(id))/trajectory") }

    public func stopRun(_ id: String) throws(MLGymError) -> RunInfo { try call("POST", "/v1/runs/\(Self.escape(id))/stop") }

    public func resumeRun(_ id: String, apiKey: String?, gpus: String? = nil) throws(MLGymError) -> RunInfo {
        try call("POST", "/v1/runs/\(Self.escape(id))/resume", body: RunResumeRequest(apiKey: apiKey, gpus: gpus))
    }

    public func sendRunInput(_ id: String, action: String) throws(MLGymError) {
        let _: Empty = try call("POST", "/v1/runs/\(Self.escape(id))/input", body: RunInput(action: action))
    }

    // MARK: Literature

    public func literatureSearch(_ request: LiteratureSearchRequest) throws(MLGymError) -> LiteratureSearchResult {
        try call("POST", "/v1/literature/search", body: request)
    }

    public func pdfText(_ request: PDFTextRequest) throws(MLGymError) -> PDFTextResult { try call("POST", "/v1/literature/pdf", body: request) }

    // MARK: Memory

    public func memoryWrite(_ request: MemoryWriteRequest) throws(MLGymError) -> MemoryEntry { try call("POST", "/v1/memory", body: request) }

    public func memorySearch(_ request: MemorySearchRequest) throws(MLGymError) -> MemorySearchResult {
        try call("POST", "/v1/memory/search", body: request)
    }

    public func memoryList(scope: String) throws(MLGymError) -> MemoryList {
        try call("GET", "/v1/memory?scope=" + Self.queryValue(scope))
    }

    public func memoryRemove(_ id: Int64) throws(MLGymError) -> MemoryRemoved { try call("DELETE", "/v1/memory/\(id)") }

    public func memoryExport(scope: String) throws(MLGymError) -> MemoryExport {
        try call("GET", "/v1/memory/export?scope=" + Self.queryValue(scope))
    }

    public func memoryImport(_ request: MemoryImportRequest) throws(MLGymError) -> MemoryImportResult {
        try call("POST", "/v1/memory/import", body: request)
    }

    static func queryValue(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
    }

    private struct Empty: Decodable {}

    private func call<Answer: Decodable>(_ method: String, _ path: String) throws(MLGymError) -> Answer {
        try send(method, path, body: nil)
    }

    private func call<Body: Encodable, Answer: Decodable>(_ method: String, _ path: String, body: Body) throws(MLGymError) -> Answer {
        try send(method, path, body: try encode(body))
    }

    private func send<Answer: Decodable>(_ method: String, _ path: String, body: Data?) throws(MLGymError) -> Answer {
        var received = Data()
        let status = try http.perform(method: method, path: path, body: body) { received.append(contentsOf: $0) }
        guard (200..<300).contains(status) else { throw apiError(status: status, body: received) }
        if Answer.self == Empty.self, let empty = Empty() as? Answer { return empty }
        do {
            return try WireCoding.decoder().decode(Answer.self, from: received)
        } catch {
            throw MLGymError(.parse, "mlgymd answered \(method) \(path) with something unexpected: \(error)")
        }
    }

    private func encode<Body: Encodable>(_ body: Body) throws(MLGymError) -> Data {
        do {
            return try WireCoding.encoder().encode(body)
        } catch {
            throw MLGymError(.invalidArgument, "cannot encode the request: \(error)")
        }
    }

    private func apiError(status: Int, body: Data) -> MLGymError {
        if let decoded = try? WireCoding.decoder().decode(APIErrorBody.self, from: body) {
            return MLGymError(MLGymError.Code(rawValue: decoded.error.code), decoded.error.message)
        }
        return MLGymError(.system, "mlgymd answered HTTP \(status): \(String(decoding: body.prefix(300), as: UTF8.self))")
    }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?"))) ?? segment
    }
}
