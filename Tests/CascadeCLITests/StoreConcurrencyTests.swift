import CascadeJSON
import Foundation
import Testing

@Suite("Concurrent registration from separate processes (end to end)")
struct StoreConcurrencyTests {
    /// 4 shell processes each run `cascade formula register` 50 times, all for the same name, at
    /// once: every call must succeed and the versions must be exactly 1…200.
    @Test(arguments: CLIBackend.available)
    func fourProcessesTimesFiftyRegistrations(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        let initialised = try StoreCLI.run(["init", "--db", db], in: dir)
        try #require(initialised.status == 0, "\(initialised.stderr)")
        let workers = 4, each = 50
        var scripts: [Process] = []
        for worker in 0..<workers {
            var lines = ["set -e"]
            for i in 0..<each {
                let n = worker * 1000 + i
                let file = try StoreCLI.write(StoreCLI.formulaDocument(
                    text: "return \(n) + (gdpGrowth - baseline) * elasticity * 0;", expected: Double(n)), to: "w\(worker)-\(i).json", in: dir)
                lines.append("'\(StoreCLI.binary.path)' formula register '\(file)' --db \"$CASCADE_DB_UNDER_TEST\" --json >> '\(dir.path)/out-\(worker).jsonl'")
            }
            let script = try StoreCLI.write(lines.joined(separator: "\n") + "\n", to: "worker-\(worker).sh", in: dir)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [script]
            var env = ProcessInfo.processInfo.environment
            env["CASCADE_DB_UNDER_TEST"] = db
            process.environment = env
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: try StoreCLI.write("", to: "err-\(worker).txt", in: dir)))
            scripts.append(process)
        }
        for process in scripts { try process.run() }
        for process in scripts { process.waitUntilExit() }

        var versions: [Int] = []
        for worker in 0..<workers {
            let errors = (try? String(contentsOf: dir.appendingPathComponent("err-\(worker).txt"), encoding: .utf8)) ?? ""
            #expect(scripts[worker].terminationStatus == 0, "worker \(worker) failed: \(errors)")
            let lines = ((try? String(contentsOf: dir.appendingPathComponent("out-\(worker).jsonl"), encoding: .utf8)) ?? "")
                .split(separator: "\n")
            #expect(lines.count == each)
            for line in lines {
                let json = try JSONValue.parse(String(line))
                #expect(json["new"] == .bool(true))
                versions.append(Int(json["version"]?.numberValue ?? -1))
            }
        }
        #expect(versions.sorted() == Array(1...(workers * each)))
        let history = try StoreCLI.run(["formula", "history", "gdp_sector_impact", "--db", db, "--json"], in: dir)
        #expect(history.json?.arrayValue?.compactMap { $0["version"]?.numberValue }.map { Int($0) } == Array(1...(workers * each)))
    }

    /// 32 `cascade scenario submit` processes started together with one scenario file: every one
    /// succeeds and prints the same id, and the store holds exactly one scenario.
    @Test(arguments: CLIBackend.available)
    func concurrentIdenticalSubmissionsStoreOneScenario(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.initWithMacroWorld(db, in: dir)
        let file = try StoreCLI.write(#"{"name": "same", "author": "analyst", "macro_variables": {"oil_price": 80}, "as_of": "2025-06-30"}"#,
                                      to: "same.json", in: dir)
        let count = 32
        var processes: [Process] = []
        for k in 0..<count {
            let process = Process()
            process.executableURL = StoreCLI.binary
            process.arguments = ["scenario", "submit", file, "--db", db, "--json"]
            process.currentDirectoryURL = dir
            var env = ProcessInfo.processInfo.environment
            env["CASCADE_DB"] = nil
            process.environment = env
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: try StoreCLI.write("", to: "out-\(k).json", in: dir)))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: try StoreCLI.write("", to: "err-\(k).txt", in: dir)))
            processes.append(process)
        }
        for process in processes { try process.run() }
        for process in processes { process.waitUntilExit() }

        var ids: Set<String> = []
        for k in 0..<count {
            let out = (try? String(contentsOf: dir.appendingPathComponent("out-\(k).json"), encoding: .utf8)) ?? ""
            let err = (try? String(contentsOf: dir.appendingPathComponent("err-\(k).txt"), encoding: .utf8)) ?? ""
            #expect(processes[k].terminationStatus == 0, "submission \(k) failed: \(err)")
            if let id = (try? JSONValue.parse(out.trimmingCharacters(in: .whitespacesAndNewlines)))?["scenario_id"]?.stringValue { ids.insert(id) }
        }
        #expect(ids.count == 1, "\(ids.count) different scenario ids: \(ids.sorted())")
        let list = try StoreCLI.run(["scenario", "list", "--db", db, "--json"], in: dir)
        #expect(list.json?.arrayValue?.count == 1, "\(list.stdout)\(list.stderr)")
    }
}
