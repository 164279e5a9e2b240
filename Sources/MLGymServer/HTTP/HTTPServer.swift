import Foundation
import Glibc
import MLGymCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// HTTP/1.1 on a Unix socket, with WebSocket upgrades for the paths `isWebSocketPath` accepts.
///
/// SwiftNIO directly rather than a framework: the daemon must also serve a socket that systemd passes in
/// (`LISTEN_FDS`), which needs `ServerBootstrap.bind(_ socket:)`; Hummingbird 2.28 binds only by address.
///
/// Shutdown (`shutdown()`) stops accepting, lets requests in flight finish, closes idle keep-alive connections and
/// ends attached WebSockets; `run()` returns when every connection is closed.
public final class HTTPServer: Sendable {
    /// Where to listen.
    public enum Listener: Sendable {
        /// Bind a new socket at the path (an old socket file there is replaced), then give it `mode` and, when
        /// set, the group `group`.
        case path(String, mode: mode_t, group: gid_t?)
        /// A socket that is already bound and listening (socket activation).
        case descriptor(Int32)
    }

    public struct Limits: Sendable {
        /// Largest request body accepted; bigger ones get 413 and the connection is closed.
        public var maxBodyBytes: Int = 1 << 20
        /// Open connections one non-root uid may hold; more are closed at once (a flood by one user must not
        /// use up the daemon's descriptors).
        public var maxConnectionsPerUID = 64
        /// A connection that sends nothing for this long between requests (or in the middle of one) is closed.
        public var idleTimeout: TimeAmount = .seconds(120)
        /// A request whose headers have not all arrived this long after its first byte is cut off: a client
        /// that trickles a header a byte at a time must not hold a connection (and its share of them) for ever.
        public var headerTimeoutSeconds: Double = 10
        public init() {}
    }

    public typealias WebSocketHandler = @Sendable (WebSocketConnection) async -> Void

    private let listener: Listener
    private let router: Router
    private let webSocketHandler: WebSocketHandler
    private let isWebSocketPath: @Sendable (String) -> Bool
    private let limits: Limits
    private let group: MultiThreadedEventLoopGroup
    /// Whether this server made `group` (and shuts it down when it stops).
    private let ownsGroup: Bool
    private let state = Mutex(State())

    private struct State {
        var serverChannel: (any Channel)?
        var stopping = false
        /// Open connections, and whether each is in the middle of a request.
        var connections: [ObjectIdentifier: (channel: any Channel, busy: Bool)] = [:]
        var connectionsPerUID: [UInt32: Int] = [:]
    }

    public init(
        listener: Listener, router: Router, limits: Limits = Limits(),
        isWebSocketPath: @escaping @Sendable (String) -> Bool, webSocketHandler: @escaping WebSocketHandler,
        sharing sharedGroup: MultiThreadedEventLoopGroup? = nil
    ) {
        self.listener = listener
        self.router = router
        self.limits = limits
        self.isWebSocketPath = isWebSocketPath
        self.webSocketHandler = webSocketHandler
        // Sessions' agent sockets share the daemon's threads: a server per session must not cost two threads.
        group = sharedGroup ?? MultiThreadedEventLoopGroup(numberOfThreads: 2)
        ownsGroup = sharedGroup == nil
    }

    enum Upgrade: Sendable {
        case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, HTTPRequestHead)
        case http(NIOAsyncChannel<HTTPServerRequestPart, HTTPPart<HTTPResponseHead, ByteBuffer>>)
    }

    struct Accepted: Sendable {
        var upgrade: EventLoopFuture<Upgrade>
        var peer: EventLoopFuture<PeerCredentials>
        var channel: any Channel
    }

    /// Binds (or adopts) the socket. Separate from `run` so the caller can report readiness once clients can
    /// connect.
    public func bind() async throws -> Listening {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Accepted> = { [self] channel in
            channel.eventLoop.makeCompletedFuture {
                let upgrade = try configure(channel)
                return Accepted(upgrade: upgrade, peer: PeerCredentials.of(channel), channel: channel)
            }
        }
        let server: NIOAsyncChannel<Accepted, Never>
        switch listener {
        case .path(let path, let mode, let socketGroup):
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if let existing = try? FileManager.default.attributesOfItem(atPath: path), existing[.type] as? FileAttributeType == .typeSocket {
                unlink(path)
            }
            // The socket file is created with the umask: make it private from the start, then open it up. The umask
            // is the whole process's, and a sandbox being cloned meanwhile would inherit it, so it is changed only
            // when the directory lets others in; a socket in a private (0700) directory needs no such care.
            var directoryStatus = stat()
            let directoryIsPrivate = stat((path as NSString).deletingLastPathComponent, &directoryStatus) == 0
                && directoryStatus.st_mode & 0o077 == 0
            let savedMask = directoryIsPrivate ? nil : umask(0o177)
            defer { if let savedMask { umask(savedMask) } }
            do {
                server = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false, childChannelInitializer: initializer)
            } catch {
                throw MLGymError(.system, "cannot listen on \(path): \(error) (is another mlgymd running? is the directory writable?)")
            }
            if let socketGroup, chown(path, getuid(), socketGroup) != 0 {
                throw MLGymError(.system, "cannot give \(path) to group \(socketGroup): \(String(cString: strerror(errno)))")
            }
            if chmod(path, mode) != 0 { throw MLGymError(.system, "cannot chmod \(path): \(String(cString: strerror(errno)))") }
        case .descriptor(let descriptor):
            server = try await bootstrap.bind(descriptor, childChannelInitializer: initializer)
        }
        state.withLock { $0.serverChannel = server.channel }
        return Listening(server: server)
    }

    /// A bound server, ready to accept.
    public struct Listening: Sendable {
        fileprivate let server: NIOAsyncChannel<Accepted, Never>
    }

    /// Accepts connections until `shutdown()`, then waits for every connection to close.
    public func run(_ listening: Listening) async throws {
        try await withThrowingDiscardingTaskGroup { tasks in
            try await listening.server.executeThenClose { inbound in
                for try await accepted in inbound {
                    tasks.addTask { await self.serve(accepted) }
                }
            }
        }
        if ownsGroup { try? await group.shutdownGracefully() }
    }

    /// The threads this server runs on, for servers that share them.
    public var eventLoopGroup: MultiThreadedEventLoopGroup { group }

    /// Stops accepting; closes idle connections; connections busy with a request close after it.
    public func shutdown() {
        let (server, idle): ((any Channel)?, [any Channel]) = state.withLock { state in
            state.stopping = true
            return (state.serverChannel, state.connections.values.filter { !$0.busy }.map(\.channel))
        }
        server?.close(promise: nil)
        for channel in idle { channel.close(promise: nil) }
    }

    // MARK: Connections

    private func configure(_ channel: any Channel) throws -> EventLoopFuture<Upgrade> {
        let isWebSocketPath = self.isWebSocketPath
        let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
            maxFrameSize: 1 << 20,
            shouldUpgrade: { channel, head in
                channel.eventLoop.makeSucceededFuture(isWebSocketPath(RequestTarget(head.uri).path) ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { channel, head in
                // An attached terminal may sit quiet for hours: no idle timeout on a WebSocket.
                channel.pipeline.removeHandler(name: "idle-closer").flatMap {
                    channel.pipeline.removeHandler(name: "idle-state")
                }.flatMap {
                    channel.pipeline.removeHandler(name: "header-deadline")
                }.flatMap {
                    channel.pipeline.removeHandler(name: "protocol-errors")
                }.flatMapThrowing {
                    .webSocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel), head)
                }
            })
        let headerClock = HeaderDeadline.Clock()
        let configuration = NIOTypedHTTPServerUpgradeConfiguration<Upgrade>(
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HeaderDeadline.HeadSeen(clock: headerClock))
                    try channel.pipeline.syncOperations.addHandler(ResponsePartAdapter())
                    return .http(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                }
            })
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: limits.idleTimeout), name: "idle-state")
        try channel.pipeline.syncOperations.addHandler(
            HeaderDeadline.BytesSeen(clock: headerClock, limit: .milliseconds(Int64(limits.headerTimeoutSeconds * 1000))), name: "header-deadline")
        let key = ObjectIdentifier(channel)
        let isBusy: @Sendable () -> Bool = { [weak self] in
            self?.state.withLock { $0.connections[key]?.busy ?? false } ?? false
        }
        try channel.pipeline.syncOperations.addHandler(IdleConnectionCloser(isBusy: isBusy), name: "idle-closer")
        var pipeline = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: configuration)
        pipeline.enableErrorHandling = false
        let upgraded = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipeline)
        try channel.pipeline.syncOperations.addHandler(ProtocolErrorResponder(), name: "protocol-errors")
        return upgraded
    }

    private func serve(_ accepted: Accepted) async {
        let key = ObjectIdentifier(accepted.channel)
        let admitted = state.withLock { state in
            guard !state.stopping else { return false }
            state.connections[key] = (accepted.channel, false)
            return true
        }
        defer { _ = state.withLock { $0.connections.removeValue(forKey: key) } }
        guard admitted, let peer = try? await accepted.peer.get() else {
            try? await accepted.channel.close()
            return
        }
        let withinLimit = state.withLock { state in
            let count = state.connectionsPerUID[peer.uid, default: 0]
            guard peer.isAdministrator || count < limits.maxConnectionsPerUID else { return false }
            state.connectionsPerUID[peer.uid] = count + 1
            return true
        }
        guard withinLimit else {
            DaemonLog.warning("uid \(peer.uid) has \(limits.maxConnectionsPerUID) connections open; closing another")
            try? await accepted.channel.close()
            return
        }
        defer {
            state.withLock { state in
                state.connectionsPerUID[peer.uid, default: 1] -= 1
                if state.connectionsPerUID[peer.uid] == 0 { state.connectionsPerUID[peer.uid] = nil }
            }
        }
        do {
            switch try await accepted.upgrade.get() {
            case .webSocket(let channel, let head):
                setBusy(key, true)
                await webSocketHandler(WebSocketConnection(channel: channel, head: head, peer: peer))
            case .http(let channel):
                try await serveHTTP(channel, key: key, peer: peer)
            }
        } catch {
            // A client that goes away mid-request, or that spoke no HTTP, is not the daemon's error; its
            // connection is closed here (a failed upgrade leaves it open otherwise).
            try? await accepted.channel.close()
        }
    }

    /// Closes every connection, busy or not: the last step of a shutdown.
    public func closeAllConnections() {
        let all = state.withLock { $0.connections.values.map(\.channel) }
        for channel in all { channel.close(promise: nil) }
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    @discardableResult
    private func setBusy(_ key: ObjectIdentifier, _ busy: Bool) -> Bool {
        state.withLock { state in
            state.connections[key]?.busy = busy
            return state.stopping
        }
    }

    private func serveHTTP(
        _ channel: NIOAsyncChannel<HTTPServerRequestPart, HTTPPart<HTTPResponseHead, ByteBuffer>>,
        key: ObjectIdentifier, peer: PeerCredentials
    ) async throws {
        try await channel.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            var tooLarge = false
            // After a response that ends the connection, wait for the client to close: closing from this side
            // right away could drop the response's last bytes, still queued in NIO. A client that lingers is
            // closed after a grace period.
            var lingering: Task<Void, Never>?
            defer { lingering?.cancel() }
            for try await part in inbound {
                if lingering != nil { continue }
                switch part {
                case .head(let next):
                    _ = setBusy(key, true)
                    head = next
                    body.clear()
                    tooLarge = false
                    if let length = next.headers.first(name: "content-length").flatMap(Int.init), length > limits.maxBodyBytes {
                        // Refused before a byte of the body is read: nothing of it is buffered, and the connection,
                        // whose next bytes are that body, cannot serve another request.
                        head = nil
                        try await write(
                            .error(.payloadTooLarge, code: "payload_too_large", "the request body (\(length) bytes) is larger than \(limits.maxBodyBytes) bytes"),
                            to: outbound, version: next.version, keepAlive: false)
                        lingering = endConnection(channel.channel, stopping: setBusy(key, false))
                        continue
                    }
                case .body(var piece):
                    if !tooLarge {
                        if body.readableBytes + piece.readableBytes > limits.maxBodyBytes { tooLarge = true } else { body.writeBuffer(&piece) }
                    }
                case .end:
                    guard let requestHead = head else { continue }
                    head = nil
                    let response: APIResponse
                    if tooLarge {
                        response = .error(.payloadTooLarge, code: "payload_too_large", "the request body is larger than \(limits.maxBodyBytes) bytes")
                    } else if isWebSocketPath(RequestTarget(requestHead.uri).path) {
                        response = .error(.badRequest, code: "invalid_argument", "\(requestHead.uri) needs a WebSocket upgrade (use mlgymctl attach)")
                    } else {
                        response = await router.respond(to: APIRequest(head: requestHead, body: body, peer: peer))
                    }
                    let keepAlive = requestHead.isKeepAlive && !tooLarge && !isStopping
                    try await write(response, to: outbound, version: requestHead.version, keepAlive: keepAlive)
                    let stopping = setBusy(key, false)
                    if !keepAlive || stopping {
                        lingering = endConnection(channel.channel, stopping: stopping)
                    }
                }
            }
        }
    }

    /// Ends a connection after a response that said `Connection: close`: its sending side is shut down at once
    /// (NIO does so once the response is flushed), so the client reads the response and then the end; the
    /// connection is closed when the client closes it, or after a grace period. Closing both sides at once could
    /// drop the response's last bytes, still queued in NIO.
    private func endConnection(_ connection: any Channel, stopping: Bool) -> Task<Void, Never> {
        connection.close(mode: .output, promise: nil)
        let grace: Duration = stopping ? .seconds(1) : .seconds(5)
        return Task {
            try? await Task.sleep(for: grace)
            if !Task.isCancelled { connection.close(promise: nil) }
        }
    }

    private func write(
        _ response: APIResponse, to outbound: NIOAsyncChannelOutboundWriter<HTTPPart<HTTPResponseHead, ByteBuffer>>,
        version: HTTPVersion, keepAlive: Bool
    ) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Server", value: "mlgymd")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        switch response.body {
        case .bytes(let bytes):
            headers.add(name: "Content-Length", value: String(bytes.count))
            try await outbound.write(.head(HTTPResponseHead(version: version, status: response.status, headers: headers)))
            if !bytes.isEmpty { try await outbound.write(.body(ByteBuffer(bytes: bytes))) }
            try await outbound.write(.end(nil))
        case .stream(let produce):
            headers.add(name: "Transfer-Encoding", value: "chunked")
            try await outbound.write(.head(HTTPResponseHead(version: version, status: response.status, headers: headers)))
            try await produce(ResponseWriter { buffer in try await outbound.write(.body(buffer)) })
            try await outbound.write(.end(nil))
        }
    }
}

/// Lets the async channel write `ByteBuffer` bodies (`HTTPPart<HTTPResponseHead, ByteBuffer>`) where NIO's encoder
/// expects `IOData`.
private final class ResponsePartAdapter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPPart<HTTPResponseHead, ByteBuffer>
    typealias OutboundOut = HTTPServerResponsePart

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head): context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body(let buffer): context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: promise)
        case .end(let trailers): context.write(wrapOutboundOut(.end(trailers)), promise: promise)
        }
    }
}

/// Closes a connection that has sent nothing for the idle timeout (`IdleStateHandler`'s read event), unless it
/// is waiting for the answer to a request (an evaluation or a long exec sends nothing while it runs). An
/// attached terminal's WebSocket is exempt: the handler is removed when the connection upgrades.
private final class IdleConnectionCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let isBusy: @Sendable () -> Bool

    init(isBusy: @escaping @Sendable () -> Bool) { self.isBusy = isBusy }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            guard !isBusy() else { return }
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
