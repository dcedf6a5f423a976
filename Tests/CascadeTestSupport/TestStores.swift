import CascadeStore
import Foundation

/// Fresh stores for tests: a new SQLite file, or a new schema on the PostgreSQL server the
/// README's test command starts (`CASCADE_TEST_POSTGRES_URL`).
package enum TestStores {
    package static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["CASCADE_TEST_POSTGRES_URL"]
        return url?.isEmpty == false ? url : nil
    }

    package static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// A fresh, empty location with its own temporary directory (for the SQLite file, or for
    /// other files a test writes). `postgres` picks a new schema, reached through a URL with a
    /// search path. `cleanup` drops the schema and removes the directory.
    package static func fresh(postgres: Bool, prefix: String) throws
        -> (location: StoreLocation, db: String, directory: URL, cleanup: @Sendable () -> Void) {
        let tag = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(tag)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard postgres else {
            let path = directory.appendingPathComponent("store.sqlite").path
            return (.sqlite(path: path), path, directory, { try? FileManager.default.removeItem(at: directory) })
        }
        guard let base = postgresURL else { throw StoreError(.connection, "no PostgreSQL server (CASCADE_TEST_POSTGRES_URL)") }
        let schema = "\(prefix.replacingOccurrences(of: "-", with: "_"))_\(tag)"
        try Store(.postgresql(url: base)).write { db in try db.execute("CREATE SCHEMA \(schema)") }
        let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
        return (.postgresql(url: url), url, directory, {
            _ = try? Store(.postgresql(url: base)).write { db in try db.execute("DROP SCHEMA \(schema) CASCADE") }
            try? FileManager.default.removeItem(at: directory)
        })
    }
}

/// The package's own executables, run as a user would.
package enum PackageExecutables {
    package static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A product built beside the test bundle (`swift test` builds them all).
    package static func url(_ name: String) -> URL {
        var candidates: [URL] = []
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent(name))
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(root.appendingPathComponent(".build/debug/\(name)"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    package struct Result: Sendable {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    /// Runs `executable arguments…` in `directory` to completion, without `CASCADE_DB`, with
    /// `environment` added. Output goes through files, so a large one cannot block the child.
    /// `run`, waited for on a thread of its own: the wait must not hold one of the cooperative
    /// pool's threads (one per core, two on a small machine), which an in-process server needs to
    /// answer the child — with another test blocking the other thread, it could not.
    package static func runOnOwnThread(_ executable: URL, _ arguments: [String], in directory: URL,
                                      environment: [String: String] = [:]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result { try run(executable, arguments, in: directory, environment: environment) })
            }
        }
    }

    package static func run(_ executable: URL, _ arguments: [String], in directory: URL,
                           environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["CASCADE_DB"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = directory.appendingPathComponent(".out-\(UUID().uuidString)")
        let err = directory.appendingPathComponent(".err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
