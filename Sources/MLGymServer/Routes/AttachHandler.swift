import Foundation
import MLGymAPI
import MLGymCore
import MLGymSandbox
import NIOHTTP1
import NIOCore
import NIOWebSocket
import Synchronization

/// `GET /v1/sessions/{id}/attach` upgraded to a WebSocket: the session's shell as an interactive terminal.
///
/// Binary messages are terminal bytes both ways; text messages are `AttachControl` JSON (`resize` from the
/// client; `error` or `ended` from the daemon before it closes). While any terminal is attached the shell belongs
/// to the people at them (echo on, a prompt); several clients share it as tmux clients do: all see the output,
/// all may type, and the latest resize wins. When the last one detaches, the shell goes back to the agent.
enum AttachHandler {
    static func isAttachPath(_ path: String) -> Bool {
        let segments = path.split(separator: "/")
        return segments.count == 4 && segments[0] == "v1" && segments[1] == "sessions" && segments[3] == "attach"
    }

    static func handle(_ connection: WebSocketConnection, manager: SessionManager) async {
        let target = connection.target
        let segments = target.path.split(separator: "/")
        let id = String(segments[2]).removingPercentEncoding ?? String(segments[2])
        let rows = target.query["rows"].flatMap(UInt16.init) ?? 24
        let cols = target.query["cols"].flatMap(UInt16.init) ?? 80
        let watching = target.query["watch"] == "1"
        try? await connection.channel.executeThenClose { inbound, outbound in
            let session: LiveSession
            let shell: PersistentShell
            do {
                session = try await manager.liveSession(id, for: connection.peer)
                if !watching, let run = session.drivingRun.withLock({ $0 }) {
                    throw MLGymError(.invalidState, "session \(session.id) is driven by agent run \(run): follow it with mlgymctl trajectory \(run), or stop the run first")
                }
                shell = try await session.shell()
            } catch {
                let failure = (error as? MLGymError) ?? MLGymError(.system, "\(error)")
                try await send(AttachControl(type: "error", message: failure.message), close: 4000 + Int(failure.httpStatus.code), to: outbound, on: connection.channel.channel)
                return
            }
            let (output, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(1024))
            let filter = Mutex(ShellFrameFilter(nonce: shell.frameNonce))
            let observer = shell.observe { chunk in
                guard let chunk else {
                    continuation.finish()
                    return
                }
                let shown = filter.withLock { $0.feed(chunk) }
                if !shown.isEmpty { continuation.yield(shown) }
            }
            defer { shell.removeObserver(observer) }
            do {
                if watching {
                    // Nothing to hand over: the shell stays as it is.
                } else if session.changeAttached(by: 1) == 1 {
                    try await shell.beginInteractive(rows: rows, cols: cols)
                } else {
                    // Another terminal is handing the shell over to people: join once that is done.
                    guard await shell.waitUntilInteractive(limit: .seconds(10)) else {
                        throw MLGymError(.invalidState, "the session's shell did not become interactive; try again")
                    }
                    shell.resize(rows: rows, cols: cols)
                }
            } catch {
                _ = session.changeAttached(by: -1)
                let failure = (error as? MLGymError) ?? MLGymError(.system, "\(error)")
                try await send(AttachControl(type: "error", message: failure.message), close: 4000 + Int(failure.httpStatus.code), to: outbound, on: connection.channel.channel)
                return
            }
            DaemonLog.info("uid \(connection.peer.uid) \(watching ? "watches" : "attached to") session \(session.id)")
            let ended = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    // Terminal output to the client; true when the shell ended.
                    for await chunk in output {
                        do {
                            try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: chunk)))
                        } catch {
                            return false
                        }
                    }
                    return true
                }
                group.addTask {
                    await relayInput(from: inbound, to: watching ? nil : shell, outbound: outbound)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                continuation.finish()
                return first
            }
            if !watching, session.changeAttached(by: -1) == 0 { await shell.endInteractive() }
            DaemonLog.info("uid \(connection.peer.uid) \(watching ? "stopped watching" : "detached from") session \(session.id)")
            let farewell = ended
                ? AttachControl(type: "ended", message: "the session's shell ended")
                : AttachControl(type: "detached")
            try? await send(farewell, close: 1000, to: outbound, on: connection.channel.channel)
        }
    }

    /// Client messages: bytes to type, resizes, pings; returns when the client closes or goes away. Without a
    /// shell (a watcher), bytes and resizes are dropped.
    private static func relayInput(
        from inbound: NIOAsyncChannelInboundStream<WebSocketFrame>, to shell: PersistentShell?,
        outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
    ) async {
        do {
            for try await frame in inbound {
                switch frame.opcode {
                case .binary, .continuation:
                    // A fragmented message's pieces are terminal bytes too, in order.
                    try shell?.writeInput(Array(frame.unmaskedData.readableBytesView))
                case .text:
                    let data = Data(frame.unmaskedData.readableBytesView)
                    if let control = try? WireCoding.decoder().decode(AttachControl.self, from: data),
                       control.type == "resize", let rows = control.rows, let cols = control.cols {
                        shell?.resize(rows: rows, cols: cols)
                    }
                case .ping:
                    try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
                case .connectionClose:
                    return
                default:
                    continue
                }
            }
        } catch {
            return
        }
    }

    /// Sends a last control message and the close frame, then waits (up to 5 s) for the client to close: closing
    /// from this side at once could drop those frames, still queued in NIO.
    private static func send(
        _ control: AttachControl, close code: Int, to outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>,
        on channel: any Channel
    ) async throws {
        let json = (try? WireCoding.encoder().encode(control)) ?? Data()
        try await outbound.write(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: json)))
        var payload = ByteBuffer()
        payload.write(webSocketErrorCode: WebSocketErrorCode(codeNumber: code))
        try await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload))
        await waitForClose(of: channel, limit: .seconds(5))
    }

    /// Returns when `channel` has closed or `limit` has passed, whichever is first. Not `closeFuture.get()`
    /// alone: it cannot be cancelled, so a client that never closes would hold this handler (and the shutdown
    /// that waits for it) for good.
    private static func waitForClose(of channel: any Channel, limit: Duration) async {
        let once = ResumeOnce()
        var timer: Task<Void, Never>?
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            channel.closeFuture.whenComplete { _ in if once.claim() { continuation.resume() } }
            timer = Task {
                try? await Task.sleep(for: limit)
                if once.claim() { continuation.resume() }
            }
        }
        timer?.cancel()
    }
}

/// The first of several racing callers to claim it wins (one resume of a continuation).
private final class ResumeOnce: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { done in
            defer { done = true }
            return !done
        }
    }
}
