import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Tells the `ConnectionGuard` at the bottom of the pipeline where requests begin and responses
/// end, which only the decoded HTTP parts show; and closes the connection after a response that
/// says `Connection: close` (Hummingbird itself only honours the request's).
final class RequestBoundaries: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var closesAfterResponse = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            context.triggerUserOutboundEvent(RequestBoundary.headReceived, promise: nil)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.status.kind != .informational, head.headerFields[.connection]?.lowercased() == "close" {
                closesAfterResponse = true
            }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            context.triggerUserOutboundEvent(RequestBoundary.responseEnded, promise: nil)
            guard closesAfterResponse else {
                context.write(data, promise: promise)
                return
            }
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(data).whenComplete { result in
                bound.value.close(promise: nil)
                promise?.completeWith(result)
            }
        }
    }
}

@available(*, unavailable)
extension RequestBoundaries: Sendable {}
