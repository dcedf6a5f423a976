@testable import CascadeServer
import CascadeStore
import Foundation
import NIOCore
import NIOPosix
import Testing

/// A raw TCP connection to a test server: writes what the test says, records what comes back,
/// and lets the test wait for the server to close it.
final class RawConnection: @unchecked Sendable {
    let channel: any Channel
    private let received: Received

    private final class Received: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private let lock = NSLock()
        private var text = ""
        var value: String { lock.lock(); defer { lock.unlock() }; return text }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            lock.lock()
            text += String(buffer: buffer)
            lock.unlock()
        }
    }

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    static func open(_ server: TestServer) async throws -> RawConnection {
        let port = try #require(URL(string: server.base)?.port)
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(received) } }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, received: received)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Everything the server sent so far.
    var text: String { received.value }

    var isOpen: Bool { channel.isActive }
}

/// Waits until the server has closed every one of `connections`, at most 60 s (a safety net, not
/// the measure); returns how many were still open then (and closes those from this side).
func waitUntilClosed(_ connections: [RawConnection]) async -> Int {
    let stillOpen = await withTaskGroup(of: Bool.self) { group -> Int in
        for connection in connections { group.addTask { try? await connection.channel.closeFuture.get(); return true } }
        group.addTask { try? await Task.sleep(for: .seconds(60)); return false }
        var closed = 0
        for await isClosed in group {
            guard isClosed else { break }
            closed += 1
            if closed == connections.count { break }
        }
        // Unblock the waits that are left: close what the server did not.
        let open = connections.count(where: \.isOpen)
        for connection in connections { try? await connection.channel.close() }
        group.cancelAll()
        return closed == connections.count ? 0 : open
    }
    return stillOpen
}

@Suite("Connection limits", .serialized)
struct ConnectionLimitTests {
    /// Several hundred clients that never finish their request head (the attack that starved
    /// `/v1/health` with 19 985 sockets) are closed by the server after the header timeout, and
    /// `/v1/health` answers all the while.
    @Test func partialHeadersAreClosedAndHealthAnswersThroughout() async throws {
        let (location, _, cleanup) = try Backend.sqlite.freshStore()
        defer { cleanup() }
        let server = try await TestServer.start(location) { options in
            options.headerTimeoutSeconds = 5
            options.maxConnectionsPerClient = 0  // only the header timeout is under test here
        }
        var partial: [RawConnection] = []
        for _ in 0..<300 {
            let connection = try await RawConnection.open(server)
            do {
                try await connection.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            } catch {
                // On a loaded machine the server may close it first: that is what is under test.
                #expect(!connection.isOpen, "could not write to an open connection: \(error)")
            }
            partial.append(connection)
        }
        let connections = partial
        let probing = Task {
            var statuses: [Int] = []
            while connections.contains(where: \.isOpen) && statuses.count < 10_000 {
                statuses.append((try? await server.request(.GET, "/v1/health").status) ?? -1)
            }
            return statuses
        }
        let stillOpen = await waitUntilClosed(partial)
        let statuses = await probing.value
        #expect(stillOpen == 0, "\(stillOpen) of \(partial.count) partial-header connections were still open after 60 s")
        #expect(partial.allSatisfy { $0.text.isEmpty }, "a partial head got an answer: \(partial.first { !$0.text.isEmpty }?.text ?? "")")
        #expect(!statuses.isEmpty && statuses.allSatisfy { $0 == 200 }, "/v1/health answered \(Set(statuses)) while they were open")
        #expect(try await server.request(.GET, "/v1/health").status == 200)
        await server.stop()
    }

    /// A kept-alive connection is closed after the idle timeout; one that starts its next request
    /// but never finishes the head is closed after the header timeout, however long the idle one is.
    @Test func idleAndHalfStartedKeepAliveConnectionsAreClosed() async throws {
        let (location, _, cleanup) = try Backend.sqlite.freshStore()
        defer { cleanup() }
        let request = "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        for (header, idle, secondPart) in [(600.0, 1.0, ""), (3.0, 600.0, "GET /v1/health HTTP/1.1\r\nHost")] {
            let server = try await TestServer.start(location) { options in
                options.headerTimeoutSeconds = header
                options.idleTimeoutSeconds = idle
            }
            let connection = try await RawConnection.open(server)
            try await connection.send(request)
            if !secondPart.isEmpty {
                // The first answer must be complete before the next request starts (a poll with a
                // 60 s safety net; the answer comes at once).
                let deadline = ContinuousClock.now + .seconds(60)
                while !connection.text.hasSuffix("}\n") && connection.isOpen && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                try await connection.send(secondPart)
            }
            #expect(await waitUntilClosed([connection]) == 0, "header \(header) s, idle \(idle) s: still open after 60 s")
            #expect(connection.text.hasPrefix("HTTP/1.1 200"), "\(connection.text)")
            await server.stop()
        }
    }

    /// One address may hold `maxConnectionsPerClient` connections; the next gets a 429 and is
    /// closed, and once one of them closes the address may connect again.
    @Test func connectionsPerClientAreCapped() async throws {
        let (location, _, cleanup) = try Backend.sqlite.freshStore()
        defer { cleanup() }
        let server = try await TestServer.start(location) { options in
            options.headerTimeoutSeconds = 600
            options.maxConnectionsPerClient = 3
        }
        var held: [RawConnection] = []
        for _ in 0..<4 { held.append(try await RawConnection.open(server)) }
        // Exactly one of the four is refused (which one depends on the order the event loops run).
        let refused = await withTaskGroup(of: Int.self) { group -> Int? in
            for (i, connection) in held.enumerated() { group.addTask { try? await connection.channel.closeFuture.get(); return i } }
            group.addTask { try? await Task.sleep(for: .seconds(60)); return -1 }
            let first = await group.next() ?? -1
            for connection in held { try? await connection.channel.close() }  // unblocks the rest at the end
            group.cancelAll()
            return first >= 0 ? first : nil
        }
        #expect(refused != nil, "no connection was refused within 60 s")
        if let refused {
            #expect(held[refused].text.hasPrefix("HTTP/1.1 429"), "\(held[refused].text)")
            #expect(held[refused].text.contains("too_many_connections"))
        }
        // All four are closed now (from this side); the address may connect again.
        let deadline = ContinuousClock.now + .seconds(60)
        var status = 0
        while status != 200 && ContinuousClock.now < deadline {
            status = (try? await server.request(.GET, "/v1/health").status) ?? -1
        }
        #expect(status == 200)
        await server.stop()
    }
}
