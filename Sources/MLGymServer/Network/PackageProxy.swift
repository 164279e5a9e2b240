import CSandbox
import Foundation
import Glibc
import MLGymCore
import NIOCore
import NIOPosix
import Synchronization

/// The HTTP(S) proxy of a session in `packages` network mode. It listens on 127.0.0.1:3128 *inside* the
/// sandbox's network namespace (the listening socket is made there, then served by mlgymd from outside), and
/// connects onwards from the host only to the package indexes `PackageIndexPolicy` allows. The sandbox itself
/// still has nothing but loopback: every other host, address or port is answered 403 and reported to
/// `onRefused`, which records it as a session event.
final class PackageProxy: Sendable {
    static let sandboxPort: UInt16 = 3128
    static let sandboxURL = "http://127.0.0.1:\(sandboxPort)"

    /// At most this many connections at once per session (pip opens a few).
    static let maxConnections = 32
    /// A head must arrive this soon after the connection opens.
    static let headTimeout = TimeAmount.seconds(10)
    static let connectTimeout = TimeAmount.seconds(15)
    /// A relay with no traffic either way for this long is closed.
    static let idleTimeout = TimeAmount.minutes(5)

    /// What a session in `packages` mode finds in its environment: the proxy for every HTTP client, and pip
    /// pointed at the allowed indexes.
    static func environment(policy: PackageIndexPolicy) -> [String: String] {
        var environment = policy.pipEnvironment
        for name in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] { environment[name] = sandboxURL }
        return environment
    }

    private let server: any Channel
    private let connections: OpenChannels

    private init(server: any Channel, connections: OpenChannels) {
        self.server = server
        self.connections = connections
    }

    /// Starts serving inside the network namespace of `pid` (the sandbox's init).
    static func open(
        inNetworkOf pid: pid_t, joinUserNamespace: Bool, policy: PackageIndexPolicy, group: any EventLoopGroup,
        onRefused: @escaping @Sendable (_ target: String, _ reason: String) -> Void
    ) async throws(MLGymError) -> PackageProxy {
        let descriptor = mlg_listen_in_network_of(pid, joinUserNamespace ? 1 : 0, sandboxPort)
        guard descriptor >= 0 else {
            throw MLGymError(.system, "cannot open the package proxy in the sandbox's network: \(String(cString: strerror(-descriptor)))")
        }
        let connections = OpenChannels()
        let bootstrap = ServerBootstrap(group: group)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.autoRead, value: true)
            .childChannelInitializer { channel in
                let admitted = connections.add(channel, limit: maxConnections)
                guard admitted else {
                    onRefused("-", "more than \(maxConnections) connections at once")
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ProxyFrontHandler(policy: policy, onRefused: onRefused, connections: connections))
                }
            }
        let server: any Channel
        do {
            server = try await bootstrap.withBoundSocket(descriptor).get()
        } catch {
            Glibc.close(descriptor)
            throw MLGymError(.system, "cannot serve the package proxy: \(error)")
        }
        return PackageProxy(server: server, connections: connections)
    }

    /// Stops listening and ends every connection, the upstream ones included.
    func close() async {
        try? await server.close()
        for channel in connections.drain() { try? await channel.close() }
    }
}

/// Reads one request head, decides, connects, then hands the connection to a `ChannelRelay` and leaves.
private final class ProxyFrontHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case readingHead
        case connecting
        case done
    }

    private let policy: PackageIndexPolicy
    private let onRefused: @Sendable (String, String) -> Void
    private let connections: OpenChannels
    private var state = State.readingHead
    /// The head so far, then whatever the client sent after it while the upstream connection was being made.
    private var buffered = ByteBuffer()
    private var headTimer: Scheduled<Void>?

    init(policy: PackageIndexPolicy, onRefused: @escaping @Sendable (String, String) -> Void, connections: OpenChannels) {
        self.policy = policy
        self.onRefused = onRefused
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        headTimer = context.eventLoop.scheduleTask(in: PackageProxy.headTimeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { headTimer?.cancel() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffered.writeBuffer(&incoming)
        switch state {
        case .readingHead:
            readHead(context: context)
        case .connecting:
            // Bytes sent ahead of the answer; a client that sends a flood before the connection is made is cut off.
            if buffered.readableBytes > 1 << 20 { context.close(promise: nil) }
        case .done:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func readHead(context: ChannelHandlerContext) {
        let view = buffered.readableBytesView
        guard let end = view.firstRange(of: [13, 10, 13, 10]) else {
            if buffered.readableBytes > ProxyRequestHead.maxBytes {
                answer(context, status: "431 Request Header Fields Too Large", "the request head is larger than \(ProxyRequestHead.maxBytes) bytes")
            }
            return
        }
        let headLength = end.upperBound - view.startIndex
        let headBytes = buffered.readBytes(length: headLength) ?? []
        headTimer?.cancel()
        let head: ProxyRequestHead
        do {
            head = try ProxyRequestHead.parse(headBytes)
        } catch {
            onRefused("-", error.reason)
            answer(context, status: "400 Bad Request", "mlgym package proxy: \(error.reason)")
            return
        }
        let target = head.host.contains(":") ? "[\(head.host)]:\(head.port)" : "\(head.host):\(head.port)"
        guard policy.allows(host: head.host, port: head.port) else {
            onRefused(target, "not an allowed package index")
            answer(
                context, status: "403 Forbidden",
                "mlgym package proxy: \(target) is not an allowed package index (allowed: \(policy.indexes.joined(separator: ", ")))")
            return
        }
        state = .connecting
        context.channel.setOption(.autoRead, value: false).whenComplete { _ in }
        let front = context.channel
        let connections = connections
        let connecting = ClientBootstrap(group: context.eventLoop)
            .connectTimeout(PackageProxy.connectTimeout)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { upstream in
                // Counted with the session's connections, so closing the proxy ends it too.
                _ = connections.add(upstream, limit: nil)
                front.closeFuture.whenComplete { _ in upstream.close(promise: nil) }
                return upstream.eventLoop.makeSucceededVoidFuture()
            }
            .connect(host: head.host, port: head.port)
        connecting.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let upstream):
                self.startRelay(context: context, upstream: upstream, head: head)
            case .failure(let error):
                self.answer(context, status: "502 Bad Gateway", "mlgym package proxy: cannot reach \(target): \(error)")
            }
        }
    }

    private func startRelay(context: ChannelHandlerContext, upstream: any Channel, head: ProxyRequestHead) {
        guard context.channel.isActive else {
            upstream.close(promise: nil)
            return
        }
        state = .done
        let (sandboxSide, upstreamSide) = ChannelRelay.pair()
        do {
            // Idle tracking sees every byte before the relay takes it.
            try upstream.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: PackageProxy.idleTimeout))
            try upstream.pipeline.syncOperations.addHandler(IdleCloser())
            try upstream.pipeline.syncOperations.addHandler(upstreamSide)
            try context.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: PackageProxy.idleTimeout), position: .first)
            try context.pipeline.syncOperations.addHandler(IdleCloser())
            try context.pipeline.syncOperations.addHandler(sandboxSide)
        } catch {
            upstream.close(promise: nil)
            context.close(promise: nil)
            return
        }
        switch head.kind {
        case .tunnel:
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n")), promise: nil)
        case .forward(let forwardedHead):
            upstream.write(ByteBuffer(bytes: forwardedHead), promise: nil)
        }
        if buffered.readableBytes > 0 { upstream.write(buffered, promise: nil) }
        buffered = ByteBuffer()
        upstream.flush()
        let channel = context.channel
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
        // Through the whole pipeline, not this handler's context (it is leaving): the relay decides when to read.
        channel.setOption(.autoRead, value: true).whenComplete { _ in }
        channel.read()
    }

    private func answer(_ context: ChannelHandlerContext, status: String, _ message: String) {
        state = .done
        let body = message + "\n"
        let response = "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Closes a relay's channel when `IdleStateHandler` says nothing has moved for too long.
private final class IdleCloser: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }
}

/// The channels of one proxy (connections from the sandbox and their upstream ones), so that closing the proxy
/// ends them all; each leaves the set when it closes.
private final class OpenChannels: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// Adds `channel` unless `limit` are open; false when it was not added.
    func add(_ channel: any Channel, limit: Int?) -> Bool {
        let added = channels.withLock { open -> Bool in
            if let limit, open.count >= limit { return false }
            open[ObjectIdentifier(channel)] = channel
            return true
        }
        if added {
            channel.closeFuture.whenComplete { [self] _ in _ = channels.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) } }
        }
        return added
    }

    /// Everything open, leaving the set empty.
    func drain() -> [any Channel] {
        channels.withLock { open in
            defer { open.removeAll() }
            return Array(open.values)
        }
    }
}
