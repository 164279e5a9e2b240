import NIOCore

/// One end of a byte relay between two channels on the same event loop (the sandbox's connection and the
/// upstream one). Each end writes what it reads into the other, reads only while the other can take more (so a
/// slow reader slows the sender instead of filling mlgymd's memory), passes a half-close on, and closes the other
/// once its own side is gone and what it sent has been flushed.
final class ChannelRelay: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: ChannelRelay?
    private var context: ChannelHandlerContext?
    private var readWaiting = false

    /// Two connected ends: add one to each channel's pipeline.
    static func pair() -> (ChannelRelay, ChannelRelay) {
        let first = ChannelRelay(), second = ChannelRelay()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.send(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.closeAfterFlushing()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            partner?.context?.close(mode: .output, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.context?.channel.isWritable ?? false {
            context.read()
        } else {
            readWaiting = true
        }
    }

    private func send(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    private func resumeReading() {
        guard readWaiting, let context else { return }
        readWaiting = false
        context.read()
    }

    private func closeAfterFlushing() {
        guard let context else { return }
        // Writes complete in order: once this empty one has, everything sent before it has left.
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { _ in channel.close(promise: nil) }
    }
}
