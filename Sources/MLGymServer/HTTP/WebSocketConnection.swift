import NIOCore
import NIOHTTP1
import NIOWebSocket

/// An upgraded connection: WebSocket frames both ways, the request that asked for it, and who sent it.
public struct WebSocketConnection: Sendable {
    public let channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>
    public let head: HTTPRequestHead
    public let peer: PeerCredentials

    /// The request's path and query.
    var target: RequestTarget { RequestTarget(head.uri) }
}
