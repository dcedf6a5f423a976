import AsyncHTTPClient
@testable import CascadeServer
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Backends for the API tests: SQLite always, PostgreSQL when the test command started a server.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgresql
    var testDescription: String { rawValue }

    static var postgresURL: String? { TestStores.postgresURL }

    static let available: [Backend] = {
        if postgresURL != nil { return [.sqlite, .postgresql] }
        FileHandle.standardError.write(Data(
            "CascadeServerTests: CASCADE_TEST_POSTGRES_URL is not set; PostgreSQL API tests are skipped (run scripts/test.sh)\n".utf8))
        return [.sqlite]
    }()

    /// A fresh store with the sample world and formulas (made by `cascade init --sample`).
    func freshStore() throws -> (location: StoreLocation, db: String, cleanup: @Sendable () -> Void) {
        let fresh = try TestStores.fresh(postgres: self == .postgresql, prefix: "cascade-api")
        let result = try Cascade.run(["init", "--sample", "--db", fresh.db], in: fresh.directory)
        guard result.status == 0 else {
            fresh.cleanup()
            throw StoreError(.io, "cascade init --sample failed: \(result.stderr)")
        }
        return (fresh.location, fresh.db, fresh.cleanup)
    }
}

/// The built executables, for set-up, worker processes and the load test.
enum Cascade {
    static let packageRoot = PackageExecutables.root
    static let binary = PackageExecutables.url("cascade")

    static func executable(_ name: String) -> URL { PackageExecutables.url(name) }

    /// Runs `cascade arguments…` (or another executable) to completion, with the project's `Formulas/`.
    static func run(_ arguments: [String], in directory: URL, executable: URL = binary) throws -> PackageExecutables.Result {
        try PackageExecutables.run(executable, arguments, in: directory,
                                   environment: ["CASCADE_FORMULAS": packageRoot.appendingPathComponent("Formulas").path])
    }
}

/// A `cascade serve` running in this process on a free loopback port, reached over real HTTP.
struct TestServer: Sendable {
    let base: String
    let task: Task<Void, Error>
    let location: StoreLocation

    static func start(_ location: StoreLocation, configure: (inout ServerOptions) -> Void = { _ in }) async throws -> TestServer {
        var options = ServerOptions(location: location)
        options.port = 0
        options.pollSeconds = 0.05
        configure(&options)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { [options] in
            defer { continuation.finish() }  // a server that fails to start ends the wait below
            try await APIServer.run(options, log: { _ in }, onRunning: { continuation.yield($0) })
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw StoreError(.io, "the server did not start")
        }
        return TestServer(base: "http://127.0.0.1:\(port)", task: task, location: location)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var json: JSONValue? { try? JSONValue.parse(body) }
        var error: JSONValue? { json?["error"] }
        var errorCode: String? { error?["code"]?.stringValue }
    }

    /// One HTTP request; `key` goes in `Authorization: Bearer`.
    func request(_ method: HTTPMethod, _ path: String, key: String? = nil, body: String? = nil,
                 headers extra: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }
}

/// Issues API keys straight into the store (as `cascade user add` does).
func issueKeys(_ location: StoreLocation, _ users: [(String, UserRole)]) throws -> [String: String] {
    let store = try Store(location, actor: "test-setup")
    var keys: [String: String] = [:]
    for (name, role) in users { keys[name] = try APIKey.issue(username: name, role: role, in: store).key }
    return keys
}

/// A scenario document by `author`.
func scenarioJSON(name: String, author: String, isPublic: Bool = true, rate: Double = 0.025) -> String {
    """
    {"name": \(JSONValue.string(name).serialized()), "author": \(JSONValue.string(author).serialized()), "is_public": \(isPublic),
     "as_of": "2025-06-30", "macro_variables": {"fed_funds_rate": \(rate), "us_gdp_growth": 0.035}}
    """
}
