import CascadeEngine
import CascadeStore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// How `cascade serve` runs.
package struct ServerOptions: Sendable {
    package var location: StoreLocation
    package var host = "127.0.0.1"
    /// 0 picks a free port (tests); `onRunning` receives the one bound.
    package var port = 8080
    /// The largest request body accepted (413 beyond).
    package var maxBodyBytes = 1 << 20
    /// Requests per key per minute; 0 turns the limit off.
    package var rateLimitPerMinute = 100
    /// Store connections (and threads that use them) for requests.
    package var connections = 8
    /// In-process workers that run queued runs; `cascade worker` processes may run them as well.
    package var workers = 1
    /// How long a worker's claim on a run lasts without renewal.
    package var leaseSeconds = 30.0
    /// How often idle workers look at the queue (in-process workers are also woken directly).
    package var pollSeconds = 0.2
    /// Seconds a connection may take to send a complete request head (from its opening, or from
    /// the first byte of a later request); then it is closed.
    package var headerTimeoutSeconds = 10.0
    /// Seconds a kept-alive connection may sit idle between requests; then it is closed.
    package var idleTimeoutSeconds = 60.0
    /// Concurrent connections one client address may hold (0: no cap); more get a 429 and are closed.
    package var maxConnectionsPerClient = 100
    /// Where the access log goes: one structured line per request (`cascade serve` writes it to
    /// standard error); 5xx failures are logged here too, with the detail the client is not told.
    package var accessLog = Logger(label: "cascade.access", factory: { _ in SwiftLogNoOpLogHandler() })

    package init(location: StoreLocation) {
        self.location = location
    }
}

/// `cascade serve`: the HTTP API on Hummingbird, plus in-process workers.
package enum APIServer {
    /// Runs until SIGINT/SIGTERM (or the task is cancelled). `onRunning` receives the bound port.
    package static func run(_ options: ServerOptions, log: @escaping @Sendable (String) -> Void,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try Store(options.location).requireCurrentSchema()
        let wakeUp = WakeUpSignal()
        let workers = try WorkerThreads(count: options.workers, options: options, wakeUp: wakeUp, log: log)
        defer { workers.stop() }
        let api = API(options: options, wakeUp: wakeUp)
        var logger = Logger(label: "cascade.serve")
        logger.logLevel = .warning
        let limits = ConnectionLimits(headerTimeout: .nanoseconds(Int64(options.headerTimeoutSeconds * 1e9)),
                                      idleTimeout: .nanoseconds(Int64(options.idleTimeoutSeconds * 1e9)),
                                      maxPerClient: options.maxConnectionsPerClient)
        let app = Application(
            router: api.router(),
            server: GuardedHTTP1Channel.builder(limits),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "cascade"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                log("cascade: serving \(options.location) on http://\(options.host):\(port) (\(options.workers) in-process worker\(options.workers == 1 ? "" : "s"))")
                await onRunning(port)
            },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        await api.pool.shutdown()
    }
}

/// The server's in-process workers: threads, each with its own store connection.
final class WorkerThreads: @unchecked Sendable {
    private let stopFlag = NSLock()
    private var isStopping = false
    private let wakeUp: WakeUpSignal
    private var threads: [Thread] = []

    init(count: Int, options: ServerOptions, wakeUp: WakeUpSignal, log: @escaping @Sendable (String) -> Void) throws {
        self.wakeUp = wakeUp
        let host = ProcessInfo.processInfo.hostName
        for index in 0..<count {
            let runner = try JobRunner(store: Store(options.location), owner: "\(host):\(getpid()):serve-\(index)",
                                       leaseSeconds: options.leaseSeconds)
            let thread = Thread { [self] in
                runner.run(poll: options.pollSeconds, wakeUp: wakeUp, shouldStop: { shouldStop }, log: log)
            }
            thread.name = "cascade-worker-\(index)"
            threads.append(thread)
            thread.start()
        }
    }

    private var shouldStop: Bool {
        stopFlag.lock()
        defer { stopFlag.unlock() }
        return isStopping
    }

    func stop() {
        stopFlag.lock()
        isStopping = true
        stopFlag.unlock()
        for _ in threads { wakeUp.signal() }
    }
}
