import Foundation
import MLGymAPI
import MLGymCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A WebSocket to `GET /v1/sessions/{id}/attach` over the Unix socket (NIOWebSocket: libcurl on Debian has no
/// WebSocket, and the usual Swift WebSocket clients dial only TCP).
public struct AttachClient: Sendable {
    public let socketPath: String

    public init(socketPath: String = APIClient.defaultSocketPath) {
        self.socketPath = socketPath
    }

    /// How an attachment ended.
    public enum Ending: Sendable, Equatable {
        /// The client detached (the session goes on).
        case detached
        /// The session's shell ended (someone typed `exit`) or the session stopped.
        case ended(String)
    }

    /// What the caller does with an open attachment: sends through `Terminal`, reads what `output` yields.
    public struct Terminal: Sendable {
        let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>

        public func send(_ bytes: [UInt8]) async throws {
            try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: ByteBuffer(bytes: bytes)))
        }

        public func resize(rows: UInt16, cols: UInt16) async throws {
            let json = try WireCoding.encoder().encode(AttachControl.resize(rows: rows, cols: cols))
            try await outbound.write(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(bytes: json)))
        }

        /// Detaches: the daemon gives the shell back to the agent.
        public func detach() async throws {
            var payload = ByteBuffer()
            payload.write(webSocketErrorCode: .normalClosure)
            try await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: payload))
        }
    }

    private enum Upgrade: Sendable {
        case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case refused
    }

    /// Attaches to session `id`; `body` runs with the terminal while `onOutput` receives what the shell prints.
    /// Returns when the daemon closes the attachment (after a detach, or when the shell ends).
    ///
    /// - Parameter watch: only watch (mlgymd's `?watch=1`): the output comes, nothing sent is typed, and the shell
    ///   stays the agent's.
    public func attach(
        _ id: String, rows: UInt16, cols: UInt16, watch: Bool = false,
        onOutput: @escaping @Sendable ([UInt8]) -> Void,
        body: @escaping @Sendable (Terminal) async throws -> Void
    ) async throws(MLGymError) -> Ending {
        let uri = "/v1/sessions/\(APIClient.escape(id))/attach?rows=\(rows)&cols=\(cols)" + (watch ? "&watch=1" : "")
        do {
            let upgrade: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
                            maxFrameSize: 1 << 20,
                            upgradePipelineHandler: { channel, _ in
                                channel.eventLoop.makeCompletedFuture {
                                    .webSocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                                }
                            })
                        var headers = HTTPHeaders()
                        headers.add(name: "Host", value: "mlgymd")
                        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)
                        let configuration = NIOTypedHTTPClientUpgradeConfiguration(
                            upgradeRequestHead: head, upgraders: [upgrader],
                            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(.refused) })
                        // Frames the daemon sends right after its 101 may arrive in the same read: keep them.
                        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                        pipeline.leftOverBytesStrategy = .forwardBytes
                        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                    }
                }
            guard case .webSocket(let channel) = try await upgrade.get() else {
                throw MLGymError(.system, "mlgymd refused to attach to \(id)")
            }
            return try await converse(over: channel, onOutput: onOutput, body: body)
        } catch let error as MLGymError {
            throw error
        } catch let error as IOError where error.errnoCode == ENOENT || error.errnoCode == ECONNREFUSED {
            throw MLGymError(.notFound, "cannot reach mlgymd at \(socketPath) (is it running? start it with 'systemctl start mlgymd' or set MLGYM_SOCKET)")
        } catch let error as IOError where error.errnoCode == EACCES {
            throw MLGymError(.permissionDenied, "permission denied on \(socketPath) (join the mlgym group: 'usermod -aG mlgym $USER', then log in again)")
        } catch {
            throw MLGymError(.system, "attach to \(id) failed: \(error)")
        }
    }

    private func converse(
        over channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>,
        onOutput: @escaping @Sendable ([UInt8]) -> Void,
        body: @escaping @Sendable (Terminal) async throws -> Void
    ) async throws -> Ending {
        try await channel.executeThenClose { inbound, outbound in
            let terminal = Terminal(outbound: outbound)
            let input = Task { try await body(terminal) }
            defer { input.cancel() }
            var last: AttachControl?
            for try await frame in inbound {
                switch frame.opcode {
                case .binary:
                    onOutput(Array(frame.unmaskedData.readableBytesView))
                case .text:
                    last = try? WireCoding.decoder().decode(AttachControl.self, from: Data(frame.unmaskedData.readableBytesView))
                case .connectionClose:
                    var data = frame.unmaskedData
                    let code = data.readWebSocketErrorCode()
                    if let last, last.type == "error" {
                        let status = code.map { Self.number(of: $0) - 4000 } ?? 0
                        throw MLGymError(Self.errorCode(forStatus: status), last.message ?? "attach refused")
                    }
                    if let last, last.type == "ended" { return .ended(last.message ?? "the shell ended") }
                    return .detached
                case .ping:
                    try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
                default:
                    continue
                }
            }
            return last?.type == "ended" ? .ended(last?.message ?? "the shell ended") : .detached
        }
    }

    private static func number(of code: WebSocketErrorCode) -> Int {
        var buffer = ByteBuffer()
        buffer.write(webSocketErrorCode: code)
        return Int(buffer.readInteger(as: UInt16.self) ?? 0)
    }

    private static func errorCode(forStatus status: Int) -> MLGymError.Code {
        switch status {
        case 404: .notFound
        case 403: .permissionDenied
        case 409: .invalidState
        case 400: .invalidArgument
        default: .system
        }
    }
}
