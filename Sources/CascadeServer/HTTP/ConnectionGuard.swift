import NIOConcurrencyHelpers
import NIOCore

/// How long a connection may take to send a request head, how long it may sit idle between
/// requests, and how many connections one client address may hold at once.
struct ConnectionLimits: Sendable {
    /// From the connection's opening (or the first byte of a later request) to the end of the head.
    var headerTimeout: TimeAmount
    /// From the end of a response to the first byte of the next request on a kept-alive connection.
    var idleTimeout: TimeAmount
    /// Concurrent connections per client IP address; 0 means no cap.
    var maxPerClient: Int
}

/// The open connections of each client address, shared by every connection's `ConnectionGuard`.
final class ClientConnections: Sendable {
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    /// Counts one more connection from `address`, unless it already holds `limit` (0: no limit).
    func open(_ address: String, limit: Int) -> Bool {
        counts.withLockedValue { counts in
            let held = counts[address, default: 0]
            guard limit == 0 || held < limit else { return false }
            counts[address] = held + 1
            return true
        }
    }

    func close(_ address: String) {
        counts.withLockedValue { counts in
            let held = counts[address, default: 0] - 1
            counts[address] = held > 0 ? held : nil
        }
    }
}

/// What `RequestBoundaries` tells the `ConnectionGuard` below it (as outbound user events).
enum RequestBoundary: Sendable {
    /// A complete request head was decoded.
    case headReceived
    /// A response was written to its end.
    case responseEnded
}

/// The first handler of every connection, on raw bytes: refuses a client address over its cap,
/// and closes a connection whose request head is not complete in time or that idles too long
/// between requests. Without it a client that opens connections and never finishes a header
/// keeps them for ever, and enough of them starve every other client of file descriptors.
///
/// A connection is always in one of three phases: waiting for a head (the header deadline runs),
/// serving requests (no deadline: the handler's own limits apply), or idle after a response
/// (the idle deadline runs until the next request's first byte, which starts a header deadline).
final class ConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private enum Phase { case awaitingHead, serving, idle }

    private let limits: ConnectionLimits
    private let clients: ClientConnections
    private var address: String?
    private var isStarted = false
    /// Over the cap: answered with a 429 and closing; what the client sends is dropped.
    private var isRefused = false
    private var phase = Phase.awaitingHead
    /// Heads received minus responses ended: more than one when a client pipelines requests.
    private var requestsInProgress = 0
    private var deadline: Scheduled<Void>?

    init(limits: ConnectionLimits, clients: ClientConnections) {
        self.limits = limits
        self.clients = clients
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !isRefused else { return }
        if phase == .idle {
            phase = .awaitingHead
            schedule(limits.headerTimeout, context)
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let boundary = event as? RequestBoundary else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch boundary {
        case .headReceived:
            requestsInProgress += 1
            phase = .serving
            cancelDeadline()
        case .responseEnded:
            requestsInProgress = max(0, requestsInProgress - 1)
            if requestsInProgress == 0 {
                phase = .idle
                schedule(limits.idleTimeout, context)
            }
        }
        promise?.succeed()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !isStarted else { return }
        isStarted = true
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard clients.open(address, limit: limits.maxPerClient) else {
            isRefused = true
            refuse(context)
            return
        }
        self.address = address
        schedule(limits.headerTimeout, context)
    }

    /// Over the cap: a 429 with a JSON error, then the connection closes.
    private func refuse(_ context: ChannelHandlerContext) {
        let body = #"{"error": {"status": 429, "code": "too_many_connections", "message": "this address has \#(limits.maxPerClient) open connections, the most the server allows", "hint": "reuse a kept-alive connection, or close one first"}}"# + "\n"
        let head = "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n"
        let buffer = context.channel.allocator.buffer(string: head + body)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    private func schedule(_ timeout: TimeAmount, _ context: ChannelHandlerContext) {
        cancelDeadline()
        deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: timeout) {
            context.close(promise: nil)
        }
    }

    private func cancelDeadline() {
        deadline?.cancel()
        deadline = nil
    }

    private func stop() {
        cancelDeadline()
        if let address {
            clients.close(address)
            self.address = nil
        }
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}
