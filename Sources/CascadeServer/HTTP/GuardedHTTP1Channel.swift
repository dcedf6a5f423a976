import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel with a `ConnectionGuard` in front of the HTTP decoder
/// (it must see raw bytes: a head that never completes never reaches a handler after the
/// decoder) and `RequestBoundaries` after it.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let limits: ConnectionLimits
    let clients: ClientConnections

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits, clients: ClientConnections) {
        http1 = HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: [RequestBoundaries()]))
        self.limits = limits
        self.clients = clients
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limits: limits, clients: clients))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }

    /// The server builder `Application(server:)` takes.
    static func builder(_ limits: ConnectionLimits) -> HTTPServerBuilder {
        let clients = ClientConnections()
        return HTTPServerBuilder { responder in GuardedHTTP1Channel(responder: responder, limits: limits, clients: clients) }
    }
}
