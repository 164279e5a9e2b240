import MLGymAPI
import MLGymCore
import MLGymSandbox
import NIOHTTP1

/// `POST /v1/sessions/{id}/exec`: runs a command in the session's shell. With `?stream=true` (what mlgymctl asks
/// for) the answer is NDJSON: `{"output": "..."}` lines as the command prints (with `{"dropped": N}` where a
/// client too slow to keep up lost N bytes), then `{"exit": {...}}`; otherwise
/// one JSON `ExecResult` once the command has finished.
enum ExecRoute {
    static func register(on router: inout Router, manager: SessionManager) {
        router.add(.POST, "/v1/sessions/{id}/exec") { request in
            await answer {
                let exec = try request.decode(ExecRequest.self)
                let id = request.parameter("id")
                guard request.flag("stream") else {
                    return .json(try await manager.exec(id, exec, for: request.peer))
                }
                // Errors that have a status (bad timeout, unknown session, not running, forbidden) come before the
                // stream starts.
                _ = try manager.validatedTimeout(exec)
                _ = try await manager.liveSession(id, for: request.peer)
                return APIResponse(contentType: "application/x-ndjson", body: .stream { writer in
                    try await stream(exec, in: id, for: request.peer, manager: manager, to: writer)
                })
            }
        }
    }

    private static func stream(
        _ exec: ExecRequest, in id: String, for peer: PeerCredentials, manager: SessionManager, to writer: ResponseWriter
    ) async throws {
        // Bounded: a client that reads slowly (or has gone) must not make the daemon hold a command's whole output.
        // Past the queue's limit the oldest output is dropped, and the stream says how much before what follows.
        // The exec history keeps its own copy (head and tail).
        let flow = OutputFlow()
        let queue = ExecOutputQueue(flow: flow)
        let running = Task { () -> Result<ExecResult, MLGymError> in
            defer { queue.finish() }
            do {
                return .success(try await manager.exec(id, exec, for: peer, onOutput: { queue.push($0) }, flow: flow))
            } catch let error as MLGymError {
                return .failure(error)
            } catch {
                return .failure(MLGymError(.system, "\(error)"))
            }
        }
        var text = UTF8Chunker()
        while let batch = await queue.next() {
            do {
                if batch.droppedBefore > 0 {
                    // What was held back of a split character went with the dropped output.
                    let held = text.finish()
                    if !held.isEmpty { try await writer.writeLine(ExecStreamLine.output(held)) }
                    try await writer.writeLine(ExecStreamLine.dropped(bytes: batch.droppedBefore))
                }
                let piece = text.take(batch.bytes)
                if !piece.isEmpty { try await writer.writeLine(ExecStreamLine.output(piece)) }
            } catch {
                // The client has gone; the command still runs to its end and is recorded.
                queue.discard()
                throw error
            }
        }
        let rest = text.finish()
        if !rest.isEmpty { try await writer.writeLine(ExecStreamLine.output(rest)) }
        switch await running.value {
        case .success(var result):
            result.output = nil
            try await writer.writeLine(ExecStreamLine.exit(result))
        case .failure(let error):
            try await writer.writeLine(ExecStreamLine.error(.init(code: error.code.rawValue, message: error.message)))
        }
    }
}

/// Cuts a byte stream into strings without splitting a UTF-8 character across two of them.
struct UTF8Chunker {
    private var pending: [UInt8] = []

    mutating func take(_ bytes: [UInt8]) -> String {
        pending += bytes
        var end = pending.count
        // Step back over an incomplete trailing sequence: at most 3 bytes of a character that continues.
        var back = 0
        while back < 3, end - back - 1 >= 0 {
            let byte = pending[end - back - 1]
            if byte & 0b1100_0000 == 0b1000_0000 { back += 1; continue }
            if byte >= 0b1100_0000 {
                let length = byte >= 0b1111_0000 ? 4 : byte >= 0b1110_0000 ? 3 : 2
                if back + 1 < length { end -= back + 1 }
            }
            break
        }
        defer { pending.removeFirst(end) }
        return String(decoding: pending[..<end], as: UTF8.self)
    }

    mutating func finish() -> String {
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }
}
