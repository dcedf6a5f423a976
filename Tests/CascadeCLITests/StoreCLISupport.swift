import CascadeJSON
import CascadeStore
import Foundation
import Testing

/// Runs the built `cascade` binary, as a user would, against a fresh store per test.
enum StoreCLI {
    /// The `cascade` executable next to the test bundle (swift test builds it too).
    static let binary: URL = {
        var candidates: [URL] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = argv0.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("cascade"))
            dir = dir.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for scratch in [".build-store", ".build"] {
            candidates.append(root.appendingPathComponent("\(scratch)/debug/cascade"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: JSONValue? { try? JSONValue.parse(stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Runs `cascade arguments…` to completion in `directory`.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["CASCADE_DB"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = directory.appendingPathComponent(".out-\(UUID().uuidString)")
        let err = directory.appendingPathComponent(".err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// A temporary working directory and a fresh `--db` location for `backend`.
    static func fresh(_ backend: CLIBackend) throws -> (dir: URL, db: String, cleanup: () -> Void) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        switch backend {
        case .sqlite:
            return (dir, dir.appendingPathComponent("store.sqlite").path, { try? FileManager.default.removeItem(at: dir) })
        case .postgresql:
            let base = CLIBackend.postgresURL!
            let schema = "cascade_cli_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12))"
            let admin = try Store(.postgresql(url: base))
            try admin.write { db in try db.execute("CREATE SCHEMA \(schema)") }
            let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
            return (dir, url, {
                _ = try? admin.write { db in try db.execute("DROP SCHEMA \(schema) CASCADE") }
                try? FileManager.default.removeItem(at: dir)
            })
        }
    }

    static func write(_ text: String, to name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func formulaDocument(name: String = "gdp_sector_impact", text: String = "return (gdpGrowth - baseline) * elasticity * 100;",
                                expected: Double = 1.8) -> String {
        """
        {"name": \(JSONValue.string(name).serialized()), "formula_type": "IMPACT_CALCULATION",
         "formula_text": \(JSONValue.string(text).serialized()),
         "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"},
         "effective_date": "2025-01-01", "r_squared": 0.82, "description": "GDP shock to sector", "created_by": "cli-test",
         "test_cases": [{"inputs": {"gdpGrowth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": \(expected), "tolerance": 1e-9}]}
        """
    }
}

/// Backends for the end-to-end tests; PostgreSQL only when the test command started a server.
enum CLIBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgresql
    var testDescription: String { rawValue }

    static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["CASCADE_TEST_POSTGRES_URL"]
        return url?.isEmpty == false ? url : nil
    }

    static let available: [CLIBackend] = {
        if postgresURL != nil { return [.sqlite, .postgresql] }
        FileHandle.standardError.write(Data(
            "CascadeCLITests: CASCADE_TEST_POSTGRES_URL is not set; PostgreSQL end-to-end tests are skipped (run scripts/test.sh)\n".utf8))
        return [.sqlite]
    }()
}
