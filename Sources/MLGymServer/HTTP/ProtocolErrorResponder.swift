import Foundation
import MLGymAPI
import NIOCore
import NIOHTTP1

/// Answers bytes that are not a valid HTTP/1.1 request with the API's JSON error (400, `Connection: close`)
/// instead of NIO's empty 400, so every client, however broken, learns what was wrong. Like NIO's
/// `HTTPServerProtocolErrorHandler`, whose place it takes, it answers only when no response has begun, and
/// leaves the closing to the decoder.
final class ProtocolErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responseInProgress = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if !responseInProgress {
            let detail = APIErrorBody(code: "invalid_argument", message: "the request is not valid HTTP/1.1 (\(parserError)); the connection is closed")
            let body = (try? JSONEncoder().encode(detail)).map { $0 + Data("\n".utf8) } ?? Data()
            let headers = HTTPHeaders([("Content-Type", "application/json"), ("Connection", "close"), ("Content-Length", String(body.count))])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200: responseInProgress = true
        case .end: responseInProgress = false
        default: break
        }
        context.write(data, promise: promise)
    }
}
