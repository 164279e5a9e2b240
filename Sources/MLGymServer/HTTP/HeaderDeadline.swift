import NIOCore
import NIOHTTP1

/// A deadline for a request's headers: from the first byte of a request until its head is complete.
///
/// Why: the idle timeout closes a connection only when it sends nothing at all; a client that sends one byte
/// of header every minute would hold its connection, and one of its uid's connections, for ever. Two handlers
/// share one clock: `BytesSeen` (before the HTTP decoder) starts it at a request's first byte, `HeadSeen` (after
/// it) stops it when the decoder has the whole head, and a request's end lets the next byte start it again.
enum HeaderDeadline {
    /// The shared state of one connection; touched only on its event loop.
    final class Clock: @unchecked Sendable {
        var waitingForHead = true
        var timer: Scheduled<Void>?

        func stop() {
            timer?.cancel()
            timer = nil
        }
    }

    final class BytesSeen: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        private let clock: Clock
        private let limit: TimeAmount

        init(clock: Clock, limit: TimeAmount) {
            self.clock = clock
            self.limit = limit
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if clock.waitingForHead && clock.timer == nil {
                let channel = context.channel
                clock.timer = context.eventLoop.scheduleTask(in: limit) { channel.close(promise: nil) }
            }
            context.fireChannelRead(data)
        }

        func handlerRemoved(context: ChannelHandlerContext) { clock.stop() }

        func channelInactive(context: ChannelHandlerContext) {
            clock.stop()
            context.fireChannelInactive()
        }
    }

    final class HeadSeen: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        private let clock: Clock

        init(clock: Clock) { self.clock = clock }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head:
                clock.waitingForHead = false
                clock.stop()
            case .end:
                clock.waitingForHead = true
            case .body:
                break
            }
            context.fireChannelRead(data)
        }
    }
}
