import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// The API port's connections: Hummingbird's HTTP/1 server with the WebSocket upgrade, plus a
/// ``MalformedRequestGuard`` in every connection, since the upgrade pipeline neither answers a request it cannot
/// parse nor bounds the time a client takes to send its first request head.
struct GuardedHTTPChannel: ServerChildChannel {
    let inner: HTTP1WebSocketUpgradeChannel
    let headTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // Right after the request decoder, so that it sees the first head before the upgrade handler takes it.
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(MalformedRequestGuard(headTimeout: headTimeout), position: .after(decoder))
            return value
        }
    }

    func handle(value: HTTP1WebSocketUpgradeChannel.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Until the connection's first request head is read: a parse error is answered 431 (headers or request line
/// over the size limits) or 400 and the connection closed; a client that has not sent a whole head within
/// `headTimeout` is disconnected. Later requests are Hummingbird's (it answers parse errors and times out idle
/// connections itself).
final class MalformedRequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = HTTPServerResponsePart

    private let headTimeout: TimeAmount
    private var sawRequest = false
    private var timeout: Scheduled<Void>?

    init(headTimeout: TimeAmount) {
        self.headTimeout = headTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timeout = context.eventLoop.scheduleTask(in: headTimeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !sawRequest {
            sawRequest = true
            timeout?.cancel()
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !sawRequest else {
            context.fireErrorCaught(error)
            return
        }
        sawRequest = true
        timeout?.cancel()
        let status: HTTPResponseStatus =
            (error as? HTTPParserError) == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
        let head = HTTPResponseHead(
            version: .http1_1, status: status, headers: ["connection": "close", "content-length": "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
