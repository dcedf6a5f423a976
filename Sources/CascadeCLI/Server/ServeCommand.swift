import ArgumentParser
import CascadeEngine
import CascadeServer
import CascadeStore
import Foundation
import Logging

/// `cascade serve`: the HTTP API.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the HTTP API (see docs/openapi.json).",
        discussion: """
            Listens on 127.0.0.1 by default. Every endpoint but /v1/health needs an API key \
            (`cascade user add NAME --role ROLE` issues one), sent as `Authorization: Bearer KEY`. \
            Runs are queued; in-process workers run them (default: 1 with SQLite, 0 with PostgreSQL, \
            where `cascade worker` processes on any machine drain the queue). Stops on SIGINT/SIGTERM.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(parsing: .unconditional, help: "The port to listen on (0 picks a free one).",
            transform: NumericOption.integer(0...65535)) var port = 8080
    @Option(name: .customLong("rate-limit"), parsing: .unconditional, help: "Requests per API key per minute (0: no limit).",
            transform: NumericOption.integer(0...1_000_000)) var rateLimit = 100
    @Option(name: .customLong("max-body"), parsing: .unconditional, help: "The largest request body in bytes.",
            transform: NumericOption.integer(1...(1 << 30))) var maxBody = 1 << 20
    @Option(parsing: .unconditional, help: "In-process workers (default: 1 with SQLite, 0 with PostgreSQL).",
            transform: NumericOption.integer(0...256)) var workers: Int?
    @Option(parsing: .unconditional, help: "Store connections for requests.",
            transform: NumericOption.integer(1...1024)) var connections = 8
    @Option(parsing: .unconditional, help: "Seconds a worker's claim on a run lasts without renewal.",
            transform: NumericOption.number(0.1...86_400)) var lease = 30.0
    @Option(name: .customLong("header-timeout"), parsing: .unconditional,
            help: "Seconds a connection may take to send a complete request head; then it is closed.",
            transform: NumericOption.number(0.001...86_400)) var headerTimeout = 10.0
    @Option(name: .customLong("idle-timeout"), parsing: .unconditional,
            help: "Seconds a kept-alive connection may sit idle between requests; then it is closed.",
            transform: NumericOption.number(0.001...86_400)) var idleTimeout = 60.0
    @Option(name: .customLong("max-connections-per-client"), parsing: .unconditional,
            help: "Concurrent connections one client address may hold (0: no cap); more get a 429.",
            transform: NumericOption.integer(0...1_000_000)) var maxConnectionsPerClient = 100

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let opened = try store.openStore()
            var options = ServerOptions(location: opened.location)
            options.host = host
            options.port = port
            options.rateLimitPerMinute = rateLimit
            options.maxBodyBytes = maxBody
            options.connections = connections
            options.leaseSeconds = lease
            options.headerTimeoutSeconds = headerTimeout
            options.idleTimeoutSeconds = idleTimeout
            options.maxConnectionsPerClient = maxConnectionsPerClient
            options.accessLog = Logger(label: "cascade.access", factory: { StreamLogHandler.standardError(label: $0) })
            options.workers = workers ?? (opened.dialect == .sqlite ? 1 : 0)
            try AsyncBridge.wait { [options] in
                try await APIServer.run(options, log: { StoreOutput.note($0) })
            }
        }
    }
}

/// `cascade worker`: drains the run queue.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run queued scenario runs (start any number, on any machine).",
        discussion: """
            Claims runs from the queue table (`FOR UPDATE SKIP LOCKED` on PostgreSQL) under a lease \
            that a heartbeat renews; stores each result and marks the run done in one transaction. \
            If a worker dies, its run is claimed again once the lease expires. Stops on SIGINT/SIGTERM \
            after the run in hand.

            A Monte Carlo run's draws are split into chunks of at most --chunk-draws draws: the worker \
            that claims the run computes chunks, and so does every worker that finds no run to claim; \
            the run's worker merges them in draw order, so the result is the one a single process \
            stores, byte for byte. A chunk is leased like a run and claimed again if its worker dies.
            """)

    @OptionGroup var store: StoreOptions
    @Option(parsing: .unconditional, help: "Seconds a claim lasts without renewal.",
            transform: NumericOption.number(0.1...86_400)) var lease = 30.0
    @Option(parsing: .unconditional, help: "Seconds between looks at an empty queue.",
            transform: NumericOption.number(0.01...3_600)) var poll = 0.5
    @Option(parsing: .unconditional, help: "Draws per chunk of a Monte Carlo run that this worker splits (a run with no more is not split).",
            transform: NumericOption.integer(1...100_000_000)) var chunkDraws = 1_000
    @Option(help: "A name for this worker in the queue and the audit log (default: host:pid).") var name: String?
    @Flag(help: "Exit when the queue is empty instead of waiting for more.") var drain = false

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let opened = try store.openStore()
            let owner = name ?? "\(ProcessInfo.processInfo.hostName):\(getpid())"
            let runner = try JobRunner(store: opened, owner: owner, leaseSeconds: lease, chunkDraws: chunkDraws)
            let stop = StopSignal()
            StoreOutput.note("cascade worker \(owner): draining the run queue of \(opened.location)")
            runner.run(poll: poll, shouldStop: {
                stop.isRaised || (drain && ((try? opened.queueCounts().queued) ?? 0) == 0 && ((try? opened.queuedDrawChunkCount()) ?? 0) == 0)
            },
                       log: { StoreOutput.note("worker \(owner): \($0)") })
        }
    }
}

/// Raised by SIGINT or SIGTERM: a worker finishes the run in hand, then stops.
final class StopSignal: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]
    private let lock = NSLock()
    private var raised = false

    init() {
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            sources.append(DispatchSource.makeSignalSource(signal: sig, queue: .global()))
        }
        self.sources = sources
        for source in sources {
            source.setEventHandler { [self] in
                lock.lock()
                raised = true
                lock.unlock()
            }
            source.resume()
        }
    }

    var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }
}

/// Runs async work from a synchronous command and waits for it.
enum AsyncBridge {
    static func wait(_ body: @escaping @Sendable () async throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do { try await body() } catch { failure.set(error) }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw error }
    }

    private final class FailureBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Error?
        func set(_ error: Error) { lock.lock(); stored = error; lock.unlock() }
        var error: Error? { lock.lock(); defer { lock.unlock() }; return stored }
    }
}
