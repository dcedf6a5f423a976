import CascadeJSON
import CascadeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--db` and `--out` have no side effects on the user's files: only `init` creates a store,
/// nothing creates a directory or adopts a file that is not a store, and `--out` replaces a
/// regular file whole, keeping its permissions.
@Suite("no side effects on the user's files")
struct StoreSideEffectTests {
    static let scenario = StoreCLI.sampleScenario

    static let readingCommands: [[String]] = [
        ["scenario", "list"], ["formula", "show", "gdp_sector_impact@1"], ["formula", "list"], ["run", scenario],
        ["scenario", "run", "x"], ["coefficient", "list"], ["user", "list"], ["import", scenario],
    ]

    /// A command other than `init` on a store that does not exist fails with how to create it,
    /// and creates nothing: no file, no directory.
    @Test(arguments: readingCommands)
    func aMissingStoreIsNotCreated(_ command: [String]) throws {
        let dir = try StoreCLI.emptyDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for db in [dir.appendingPathComponent("none.sqlite").path, dir.appendingPathComponent("sub/dir/none.sqlite").path] {
            let result = try StoreCLI.run(command + ["--db", db], in: dir)
            #expect(result.status == 1)
            #expect(result.stderr.contains("no store at \(db); create it with `cascade init --db \(db)`"), "\(result.stderr)")
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".out-") && !$0.hasPrefix(".err-") }
            #expect(left.isEmpty, "\(command): \(left)")
        }
        let viaEnvironment = try StoreCLI.run(command, in: dir, environment: ["CASCADE_DB": dir.appendingPathComponent("env.sqlite").path])
        #expect(viaEnvironment.status == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("env.sqlite").path))
    }

    @Test func initCreatesNoDirectory() throws {
        let dir = try StoreCLI.emptyDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("sub/store.sqlite").path
        let result = try StoreCLI.run(["init", "--db", db], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no directory `\(dir.appendingPathComponent("sub").path)`"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("sub").path))
    }

    /// An empty file, a JSON file or a directory named by `--db` is refused by every command,
    /// `init` included, and left exactly as it was.
    @Test(arguments: ["", "{\"entities\": []}\n", "SQLite format 2 and more bytes"])
    func aFileThatIsNotAStoreIsNeverAdopted(_ content: String) throws {
        let dir = try StoreCLI.emptyDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try StoreCLI.write(content, to: "notes.json", in: dir)
        for command in [["init"], ["init", "--sample"], ["formula", "list"], ["run", Self.scenario]] {
            let result = try StoreCLI.run(command + ["--db", file], in: dir, environment: StoreCLI.sampleFormulas)
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.contains("`\(file)` is \(content.isEmpty ? "an empty file" : "not a SQLite store")"), "\(result.stderr)")
            #expect(try String(contentsOfFile: file, encoding: .utf8) == content)
            #expect(!FileManager.default.fileExists(atPath: file + "-wal"))
        }
        let directory = try StoreCLI.run(["init", "--db", dir.path], in: dir)
        #expect(directory.status == 1)
        #expect(directory.stderr.contains("is a directory, not a SQLite store"), "\(directory.stderr)")
    }

    /// `init --sample` that fails — here a broken document in `Formulas/` — leaves no store
    /// behind: no SQLite file, no tables on PostgreSQL.
    @Test(arguments: CLIBackend.available)
    func aFailedInitLeavesNoHalfMadeStore(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        let formulas = dir.appendingPathComponent("Formulas")
        try FileManager.default.createDirectory(at: formulas, withIntermediateDirectories: true)
        _ = try StoreCLI.write(StoreCLI.formulaDocument(), to: "Formulas/a.json", in: dir)
        _ = try StoreCLI.write("{\"name\": ", to: "Formulas/b.json", in: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Scenarios/world"), withIntermediateDirectories: true)
        _ = try StoreCLI.write("{}", to: "Scenarios/world/sample-world.json", in: dir)
        let result = try StoreCLI.run(["init", "--sample", "--db", db], in: dir, environment: ["CASCADE_FORMULAS": formulas.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("b.json"), "\(result.stderr)")
        if backend == .sqlite { #expect(!FileManager.default.fileExists(atPath: db)) }
        let after = try StoreCLI.run(["formula", "list", "--db", db], in: dir)
        #expect(after.status == 1)
        #expect(after.stderr.contains("cascade init"), "\(after.stderr)")
    }

    /// The bundled sample is found from any working directory, also when `cascade` is run by
    /// name from `PATH` (so `argv[0]` is no path): the embedded default store creates itself.
    @Test func theSampleIsFoundFromAnyDirectory() throws {
        let dir = try StoreCLI.emptyDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent("cascade"), withDestinationURL: StoreCLI.binary)
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try PackageExecutablesShim.run(["/bin/sh", "-c", "cascade run \"$1\"", "sh", Self.scenario], in: dir,
                                                    environment: ["PATH": path, "CASCADE_FORMULAS": ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Top movers by level"), "\(result.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".cascade/cascade.sqlite").path))
    }
}

/// Runs a program other than `cascade` the way `StoreCLI.run` runs `cascade`.
enum PackageExecutablesShim {
    static func run(_ command: [String], in directory: URL, environment: [String: String]) throws -> StoreCLI.Result {
        let result = try PackageExecutables.run(URL(fileURLWithPath: command[0]), Array(command.dropFirst()), in: directory,
                                                environment: environment)
        return StoreCLI.Result(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }
}
